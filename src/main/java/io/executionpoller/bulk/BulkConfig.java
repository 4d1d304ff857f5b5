package io.executionpoller.bulk;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Bulk actions over many executions: how fast they reach AMC, and how big one may be. */
@ConfigMapping(prefix = "poller.bulk")
public interface BulkConfig {

  /** Work bulk jobs on this replica. Tests switch it off and drive the worker. */
  @WithDefault("true")
  boolean enabled();

  /** Executions acted on per second, all replicas together (one job is worked at a time). */
  @WithDefault("5")
  int ratePerSecond();

  /** How often a replica looks for a bulk job to work; also the most a job catches up at once. */
  @WithDefault("1S")
  Duration tick();

  /** How long a job is one replica's after its last item; longer than one item can take. */
  @WithDefault("5M")
  Duration leaseDuration();

  /** The most executions one bulk action may cover; a wider filter is refused (narrow it). */
  @WithDefault("10000")
  int maxExecutions();

  /** The longest reason accepted, in characters. */
  @WithDefault("500")
  int maxReasonLength();
}
