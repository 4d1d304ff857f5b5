package io.executionpoller.poll;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * How the loop waits after failures. Two different things: a failed check (the execution keeps its
 * status and is checked again after a backoff) and a failed remote execution (resubmitted as a new
 * remote execution when the failure is worth another try).
 */
@ConfigMapping(prefix = "poller.retry")
public interface RetryConfig {

  /** First wait after a failed check; doubles per failed check in a row. */
  @WithDefault("5S")
  Duration checkBackoffBase();

  /** Longest wait between two checks of a failing execution. */
  @WithDefault("5M")
  Duration checkBackoffCap();

  /** Shortest wait after a failed check, whatever the jitter draws. */
  @WithDefault("1S")
  Duration checkBackoffFloor();

  /** A Retry-After further out than this is cut to it (a hostile or broken header). */
  @WithDefault("15M")
  Duration retryAfterMax();

  /** Resubmissions of a remote execution that failed for a retryable reason. */
  @WithDefault("3")
  int maxRetries();

  /** Wait before the first resubmission; doubles per retry. */
  @WithDefault("60S")
  Duration resubmitBackoffBase();

  /** Longest wait before a resubmission. */
  @WithDefault("300S")
  Duration resubmitBackoffCap();

  /**
   * After an unanswered create, executions created this long before the attempt are still
   * candidates for adoption (clock skew between us and AMC).
   */
  @WithDefault("2M")
  Duration adoptLookback();

  /** Most list pages read when looking for an execution to adopt. */
  @WithDefault("5")
  int adoptMaxPages();

  /**
   * Deferred checks (breaker open, rate limit, credentials) come back at the deferral time plus a
   * random share of this, so a closing breaker is not met by every deferred check at once.
   */
  @WithDefault("10S")
  Duration deferralSpread();
}
