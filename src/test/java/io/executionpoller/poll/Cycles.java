package io.executionpoller.poll;

import io.executionpoller.remote.AmcClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.arc.Arc;
import java.time.Clock;

/** Builds extra poll cycles from the application's beans, one per simulated replica. */
final class Cycles {

  private Cycles() {}

  static PollCycle build(PollConfig config, String owner) {
    return build(config, Arc.container().instance(TimeoutConfig.class).get(), owner);
  }

  static PollCycle build(PollConfig config, TimeoutConfig timeout, String owner) {
    return build(config, timeout, owner, Arc.container().instance(Clock.class).get());
  }

  /** A replica whose clock is {@code clock} (for example the test clock set off by a minute). */
  static PollCycle build(PollConfig config, String owner, Clock clock) {
    return build(config, Arc.container().instance(TimeoutConfig.class).get(), owner, clock);
  }

  private static PollCycle build(
      PollConfig config, TimeoutConfig timeout, String owner, Clock clock) {
    var container = Arc.container();
    return new PollCycle(
        container.instance(ExecutionStore.class).get(),
        container.instance(AmcClient.class).get(),
        config,
        container.instance(RetryConfig.class).get(),
        timeout,
        clock,
        owner,
        container.instance(MeterRegistry.class).get());
  }
}
