package io.executionpoller.poll;

import io.executionpoller.admission.Admission;
import io.executionpoller.admission.AdmissionConfig;
import io.executionpoller.crashpoint.CrashPoints;
import io.executionpoller.logging.LifecycleRecorder;
import io.executionpoller.remote.AmcClient;
import io.executionpoller.remote.AmcConfig;
import io.executionpoller.replica.ReplicaIdentity;
import io.quarkus.arc.Arc;
import io.vertx.mutiny.sqlclient.Pool;
import java.time.Clock;
import java.util.Random;

/**
 * The poll loop of another replica, for tests that play several on one database: its three parts
 * built from the application's beans as CDI builds this replica's, but under another name, and with
 * the poll settings, timeouts or clock the test gives.
 */
final class ReplicaLoops {

  private ReplicaLoops() {}

  static PollCycle build(PollConfig config, String owner) {
    return build(config, bean(TimeoutConfig.class), owner, bean(Clock.class));
  }

  static PollCycle build(PollConfig config, TimeoutConfig timeout, String owner) {
    return build(config, timeout, owner, bean(Clock.class));
  }

  /** A replica whose clock is {@code clock} (for example the test clock set off by a minute). */
  static PollCycle build(PollConfig config, String owner, Clock clock) {
    return build(config, bean(TimeoutConfig.class), owner, clock);
  }

  /** A replica that keeps within {@code limits} instead of the configured quotas. */
  static PollCycle build(PollConfig config, String owner, AdmissionConfig limits) {
    ExecutionStore store =
        new ExecutionStore(
            bean(Pool.class),
            bean(LoopMetrics.class),
            bean(AmcConfig.class),
            config,
            new Admission(limits));
    return build(config, owner, store);
  }

  /**
   * A replica that reads statuses and schedules checks as given and keeps within {@code limits}
   * (AMC's own numbers, say, where the test profile raises them out of the way).
   */
  static PollCycle build(
      PollConfig config,
      String owner,
      StatusReadRule.Settings reads,
      PollSchedule.Settings schedule,
      AdmissionConfig limits) {
    ExecutionStore store =
        new ExecutionStore(
            bean(Pool.class),
            bean(LoopMetrics.class),
            bean(AmcConfig.class),
            config,
            new Admission(limits));
    return build(
        config, bean(TimeoutConfig.class), owner, bean(Clock.class), store, reads, schedule);
  }

  /** A replica whose SQL goes through {@code store} (for example one that times its claims). */
  static PollCycle build(PollConfig config, String owner, ExecutionStore store) {
    return build(
        config,
        bean(TimeoutConfig.class),
        owner,
        bean(Clock.class),
        store,
        StatusReadRule.Settings.off(),
        PollSchedule.Settings.fixed(config.interval()));
  }

  private static PollCycle build(
      PollConfig config, TimeoutConfig timeout, String owner, Clock clock) {
    return build(
        config,
        timeout,
        owner,
        clock,
        bean(ExecutionStore.class),
        StatusReadRule.Settings.off(),
        PollSchedule.Settings.fixed(config.interval()));
  }

  /**
   * A replica that reads statuses as {@code reads} says and schedules checks as {@code schedule}
   * says (the application's own replica follows the test profile, which pins today's behaviour).
   */
  static PollCycle build(
      PollConfig config,
      String owner,
      StatusReadRule.Settings reads,
      PollSchedule.Settings schedule) {
    return build(
        config,
        bean(TimeoutConfig.class),
        owner,
        bean(Clock.class),
        bean(ExecutionStore.class),
        reads,
        schedule);
  }

  private static PollCycle build(
      PollConfig config,
      TimeoutConfig timeout,
      String owner,
      Clock clock,
      ExecutionStore store,
      StatusReadRule.Settings reads,
      PollSchedule.Settings schedule) {
    ReplicaIdentity replica = new ReplicaIdentity(owner);
    AmcClient amc = bean(AmcClient.class);
    CrashPoints crashPoints = bean(CrashPoints.class);
    LifecycleRecorder lifecycle = bean(LifecycleRecorder.class);
    WorkflowDurations durations = bean(WorkflowDurations.class);
    return new PollCycle(
        new Claimer(store, config, clock, replica, crashPoints, bean(LoopContexts.class)),
        new Checker(
            amc,
            store,
            bean(UnansweredCreates.class),
            new InstanceListings(amc, clock, reads),
            config,
            clock,
            replica,
            crashPoints,
            bean(CheckSpans.class)),
        new WritePlanner(
            WritePlanner.Settings.of(config, bean(RetryConfig.class), timeout),
            new PollSchedule(schedule),
            durations::of,
            new Random()),
        new OutcomeWriter(store, amc, config, timeout, clock, replica, lifecycle, crashPoints),
        new LoopProgress(clock),
        lifecycle,
        config,
        clock,
        replica);
  }

  private static <T> T bean(Class<T> type) {
    return Arc.container().instance(type).get();
  }
}
