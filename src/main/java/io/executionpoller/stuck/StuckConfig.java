package io.executionpoller.stuck;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * When an execution counts as stuck: too long in one status, and the signs of work nobody does
 * (expired leases, overdue or failing checks, results not stored).
 */
@ConfigMapping(prefix = "poller.stuck")
public interface StuckConfig {

  /** PENDING for longer than this since it was registered. */
  @WithDefault("1H")
  Duration pendingAfter();

  /** RUNNING for longer than this since it started. */
  @WithDefault("2H")
  Duration runningAfter();

  /** A lease this far past its expiry without the row having moved on. */
  @WithDefault("1M")
  Duration leaseGrace();

  /** Due for this many poll intervals and still not checked. */
  @WithDefault("10")
  int overdueIntervals();

  /** This many failed checks in a row. */
  @WithDefault("3")
  int failingChecks();

  /** A result not stored this long after its execution succeeded. */
  @WithDefault("30M")
  Duration resultPendingAfter();

  /** How often each replica refreshes the gauge poller_executions_stuck. */
  @WithDefault("30S")
  Duration gaugeRefresh();
}
