package io.executionpoller.execution;

import java.time.Duration;

/**
 * How long one execution may run, and when it earns a warning. Pure.
 *
 * <p>The limit is the workflow's own maximum when set; else AMC's workflowExecutionTimeoutSeconds
 * plus a margin (AMC times the execution out itself then, and we want to see that first); else a
 * default. The warning comes at the workflow's threshold when set below the limit, else at a
 * fraction of the limit.
 *
 * @param max RUNNING longer than this becomes TIMEOUT
 * @param warnAfter RUNNING longer than this is reported once as a long execution
 */
public record RuntimeLimit(Duration max, Duration warnAfter) {

  /** Defaults from configuration. */
  public record Defaults(Duration defaultMax, Duration remoteMargin, double warningFraction) {

    public Defaults {
      if (defaultMax.isNegative() || defaultMax.isZero()) {
        throw new IllegalArgumentException("default max runtime must be positive");
      }
      if (!(warningFraction > 0 && warningFraction <= 1)) {
        throw new IllegalArgumentException("warning fraction must be in (0, 1]");
      }
    }
  }

  public static RuntimeLimit of(
      Integer workflowMaxSeconds,
      Integer workflowWarningSeconds,
      Integer remoteTimeoutSeconds,
      Defaults defaults) {
    Duration max;
    if (workflowMaxSeconds != null && workflowMaxSeconds > 0) {
      max = Duration.ofSeconds(workflowMaxSeconds);
    } else if (remoteTimeoutSeconds != null && remoteTimeoutSeconds > 0) {
      max = Duration.ofSeconds(remoteTimeoutSeconds).plus(defaults.remoteMargin());
    } else {
      max = defaults.defaultMax();
    }
    Duration warn =
        workflowWarningSeconds != null
                && workflowWarningSeconds > 0
                && workflowWarningSeconds < max.toSeconds()
            ? Duration.ofSeconds(workflowWarningSeconds)
            : Duration.ofMillis((long) (max.toMillis() * defaults.warningFraction()));
    return new RuntimeLimit(max, warn);
  }
}
