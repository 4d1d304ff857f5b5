package io.executionpoller.poll;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** The poll loop that runs on every replica. */
@ConfigMapping(prefix = "poller.poll")
public interface PollConfig {

  /** Run the poll loop on this replica. Tests switch it off and call the cycle directly. */
  @WithDefault("true")
  boolean enabled();

  /** How often a replica looks for due work when idle. */
  @WithDefault("1S")
  Duration tick();

  /** Time between two status checks of one execution. */
  @WithDefault("15S")
  Duration interval();

  /** Executions claimed per claim statement; also the size of the batched rescheduling write. */
  @WithDefault("100")
  int batchSize();

  /** Status checks and submissions in flight at once on this replica. */
  @WithDefault("10")
  int maxConcurrentPolls();

  /**
   * Checks in one cycle, so a cycle always ends (the watchdog and heartbeat see it); under backlog
   * the next cycle's claims follow at once, without draining the checks in flight.
   */
  @WithDefault("5000")
  int maxChecksPerCycle();

  /** How long a claim is exclusive; a crashed replica's work is free again after it. */
  @WithDefault("2M")
  Duration leaseDuration();

  /** Hard deadline of one check (token refresh, call, one auth retry); then it is abandoned. */
  @WithDefault("90S")
  Duration checkDeadline();

  /** Failed checks in a row after which the execution is marked FAILED. */
  @WithDefault("5")
  int maxConsecutivePollErrors();

  /** Longest time unchanged checks wait before their batched write is flushed. */
  @WithDefault("200MS")
  Duration writeFlushInterval();

  /**
   * On shutdown, how long the cycle in flight may finish its checks before the leases still held
   * are released (within Kubernetes' 30 s termination grace).
   */
  @WithDefault("20S")
  Duration shutdownGrace();

  /** Name of this replica in leases and events; defaults to host name plus a random suffix. */
  Optional<String> replicaId();
}
