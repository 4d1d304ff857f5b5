package io.executionpoller.logging;

import java.time.Duration;
import java.time.Instant;

/**
 * Decides which failures of one recurring operation (a claim, while the database is away) get a log
 * line: the first, then one summary per {@code every} with how many were not logged, then one line
 * on recovery. A 60 s outage at one claim a second logs three lines, not sixty stack traces. Not
 * thread-safe on its own; callers synchronize.
 */
public final class OutageLog {

  /** What to log for one event. */
  public enum Line {
    /** The first failure after success: log it in full. */
    FIRST_FAILURE,
    /** Still failing, and {@code every} has passed since the last line: log a summary. */
    STILL_FAILING,
    /** Still failing; already said recently: log nothing. */
    NOTHING,
    /** The first success after failures: say it recovered. */
    RECOVERED
  }

  private final Duration every;
  private Instant failingSince;
  private Instant lastLine;
  private long unlogged;
  private long failures;

  public OutageLog(Duration every) {
    this.every = every;
  }

  public Line failed(Instant now) {
    if (failingSince == null) {
      failingSince = now;
      lastLine = now;
      failures = 1;
      unlogged = 0;
      return Line.FIRST_FAILURE;
    }
    failures++;
    if (Duration.between(lastLine, now).compareTo(every) >= 0) {
      lastLine = now;
      return Line.STILL_FAILING;
    }
    unlogged++;
    return Line.NOTHING;
  }

  public Line succeeded() {
    if (failingSince == null) {
      return Line.NOTHING;
    }
    failingSince = null;
    return Line.RECOVERED;
  }

  /** Failures not logged since the last line; counting starts again. */
  public long takeUnlogged() {
    long count = unlogged;
    unlogged = 0;
    return count;
  }

  /** Failures in the current outage, or in the last one once recovered. */
  public long failures() {
    return failures;
  }

  /** When the current outage began; null while the operation succeeds. */
  public Instant failingSince() {
    return failingSince;
  }
}
