package io.executionpoller.watchdog;

import java.time.Duration;
import java.time.Instant;

/** The watchdog's rule, plain so it is table-tested: stalled when no progress for too long. */
public final class LoopWatchdog {

  private LoopWatchdog() {}

  /** True when a watched loop made no progress for longer than {@code stallAfter}. */
  public static boolean stalled(
      boolean watched, Instant lastProgress, Instant now, Duration stallAfter) {
    return watched
        && lastProgress != null
        && Duration.between(lastProgress, now).compareTo(stallAfter) > 0;
  }
}
