package io.executionpoller.housekeeping;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** Jobs that run once cluster-wide on clustered Quartz: lease reaper, sweeps, retention. */
@ConfigMapping(prefix = "poller.housekeeping")
public interface HousekeepingConfig {

  /** Run the jobs' ticks; tests switch them off and call the jobs themselves. */
  @WithDefault("true")
  boolean enabled();

  /** How often the expired-lease reaper runs. */
  @WithDefault("1M")
  Duration leaseReaperEvery();

  /**
   * A lease this far past its expiry (database clock) is cleared, and the timeout sweep leaves an
   * execution this long past its runtime limit or its lease to the loop before it times it out.
   */
  @WithDefault("1M")
  Duration leaseGrace();

  /** How often the timeout sweep runs (for executions no check reaches). */
  @WithDefault("1M")
  Duration timeoutSweepEvery();

  /** How often the stuck scan logs a summary of stuck executions. */
  @WithDefault("5M")
  Duration stuckScanEvery();

  /** How often retention runs. */
  @WithDefault("1H")
  Duration retentionEvery();

  /** Events of finished executions older than this are deleted; unset keeps them. */
  @WithDefault("90D")
  Optional<Duration> eventsRetention();

  /** Stored results older than this are deleted; unset (the default) keeps them. */
  Optional<Duration> resultsRetention();

  /**
   * Webhook deliveries that ended (DELIVERED or DEAD) longer ago than this are deleted, with the
   * stuck sightings of finished executions first seen longer ago; unset keeps them. Pending
   * deliveries are never deleted.
   */
  @WithDefault("30D")
  Optional<Duration> deliveriesRetention();

  /** Rows deleted per statement, so retention never holds long locks. */
  @WithDefault("10000")
  int retentionBatch();

  /**
   * How long a starting replica waits for another replica's Quartz start before starting its own
   * scheduler anyway.
   */
  @WithDefault("60S")
  Duration startLockWait();

  /** How often AMC runs that nothing tracks, whose cancel failed, are tried again. */
  @WithDefault("1M")
  Duration orphanCancelEvery();
}
