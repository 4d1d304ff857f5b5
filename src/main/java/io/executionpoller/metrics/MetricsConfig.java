package io.executionpoller.metrics;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Metrics read from the database rather than counted as things happen. */
@ConfigMapping(prefix = "poller.metrics")
public interface MetricsConfig {

  /** How often each replica refreshes poller_executions and poller_due_check_lag_seconds. */
  @WithDefault("15S")
  Duration gaugeRefresh();
}
