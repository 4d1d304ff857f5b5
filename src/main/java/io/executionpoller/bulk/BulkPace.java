package io.executionpoller.bulk;

import java.time.Duration;
import java.time.Instant;

/**
 * The rate bound, as a pure rule: items are owed at {@code ratePerSecond} from a job's {@code
 * pacedUntil} on, and a job that waited longer than {@code window} (a stopped cluster, a long
 * previous job) catches up at most one window's worth, never a burst of everything it missed. Time
 * comes from the injected clock, so tests move it instead of waiting.
 */
record BulkPace(int ratePerSecond, Duration window) {

  /** How many items a batch at {@code now} may work, and the job's pace after them. */
  record Batch(int items, Instant pacedUntil) {}

  BulkPace {
    if (ratePerSecond < 1) {
      throw new IllegalArgumentException("poller.bulk.rate-per-second must be at least 1");
    }
    if (window.compareTo(Duration.ofSeconds(1)) < 0) {
      window = Duration.ofSeconds(1);
    }
  }

  Batch batch(Instant pacedUntil, Instant now) {
    Instant earliest = now.minus(window);
    Instant from = pacedUntil.isBefore(earliest) ? earliest : pacedUntil;
    long millis = Duration.between(from, now).toMillis();
    if (millis <= 0) {
      return new Batch(0, from);
    }
    int items = (int) (millis * ratePerSecond / 1000);
    // The pace moves on by the items' share rounded up: never faster than the rate, and a
    // fraction of an item left over is owed next time.
    long share = (items * 1000L + ratePerSecond - 1) / ratePerSecond;
    return new Batch(items, from.plusMillis(share));
  }
}
