package io.executionpoller.poll;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** How long an execution may run (a workflow's max-runtime-seconds overrides these). */
@ConfigMapping(prefix = "poller.timeout")
public interface TimeoutConfig {

  /** Limit when neither the workflow nor AMC says (AMC's usual default is 6 h). */
  @WithDefault("6H")
  Duration defaultMaxRuntime();

  /** Added to AMC's workflowExecutionTimeoutSeconds when that is the limit. */
  @WithDefault("15M")
  Duration remoteTimeoutMargin();

  /** Share of the limit after which one LONG_EXECUTION warning is recorded. */
  @WithDefault("0.8")
  double warningFraction();

  /**
   * Also cancel the remote execution when one times out (off by default: a cancelled AMC run cannot
   * be resumed). The outcome is recorded as an event.
   */
  @WithDefault("false")
  boolean cancelRemote();
}
