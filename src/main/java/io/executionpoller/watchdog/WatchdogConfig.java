package io.executionpoller.watchdog;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** The poll loop's watchdog (liveness) and the replica heartbeat. */
@ConfigMapping(prefix = "poller.watchdog")
public interface WatchdogConfig {

  /**
   * Whether liveness watches the poll loop; unset means "when this replica runs the loop"
   * (poller.poll.enabled), so a replica that does not poll is never restarted for not polling.
   */
  Optional<Boolean> enabled();

  /**
   * Liveness goes DOWN when the loop has made no progress (no check and no cycle ended) for this
   * long. Longer than the check deadline, so one slow check is not mistaken for a hang.
   */
  @WithDefault("5M")
  Duration stallAfter();

  /** How often this replica writes its heartbeat row. */
  @WithDefault("10S")
  Duration heartbeatInterval();
}
