package io.executionpoller.admission;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** AMC's execution quotas as the daemon keeps within them, counted in the database. */
@ConfigMapping(prefix = "poller.admission")
public interface AdmissionConfig {

  /** Executions PENDING or RUNNING at AMC per instance at most (AMC's API quota is 10). */
  @WithDefault("10")
  int maxRunningPerInstance();

  /** Executions PENDING or RUNNING at AMC per account at most (AMC's API quota is 200). */
  @WithDefault("200")
  int maxRunningPerAccount();

  /** Ad hoc creates per instance per UTC day at most (AMC: 30); retries count, dry runs do not. */
  @WithDefault("30")
  int maxAdHocPerDay();

  /** How long an execution held back for concurrency waits before it is looked at again. */
  @WithDefault("30S")
  Duration recheckInterval();

  /** How long an instance is held back after AMC refused one of its creates for a quota. */
  @WithDefault("10M")
  Duration quotaRefusalHold();
}
