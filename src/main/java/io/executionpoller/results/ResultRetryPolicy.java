package io.executionpoller.results;

import io.executionpoller.failure.BackoffPolicy;
import io.executionpoller.failure.ErrorType;
import java.time.Duration;
import java.time.Instant;
import java.util.random.RandomGenerator;

/**
 * Decides what follows a failed download attempt: another attempt after a jittered, doubling wait,
 * or FAILED for good. Plain Java so every case is a table row in its test.
 */
record ResultRetryPolicy(int maxAttempts, BackoffPolicy backoff) {

  /** The decision: FAILED for good, or the next attempt at {@code nextAttemptAt}. */
  record Decision(boolean failed, Instant nextAttemptAt) {}

  /**
   * @param attempt the number of the attempt that failed (1 for the first)
   * @param retryable whether the failure may go away by itself
   */
  Decision afterFailure(int attempt, boolean retryable, Instant now, RandomGenerator random) {
    if (!retryable || attempt >= maxAttempts) {
      return new Decision(true, now);
    }
    Duration wait = backoff.fullJitter(attempt - 1, random);
    return new Decision(false, now.plus(wait));
  }

  /** Describes a failure in the result's last_error: type first so a glance tells the kind. */
  static String describe(ErrorType type, String message, int attempt, boolean failed) {
    return type.name() + " (attempt " + attempt + (failed ? ", giving up" : "") + "): " + message;
  }
}
