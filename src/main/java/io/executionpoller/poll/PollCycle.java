package io.executionpoller.poll;

import io.executionpoller.logging.LifecycleRecorder;
import io.executionpoller.replica.ReplicaIdentity;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * The poll loop on this replica, in three parts that overlap: the {@link Claimer} claims due
 * executions in batches, the {@link Checker} checks each against AMC with at most {@code
 * max-concurrent-polls} in flight, the {@link WritePlanner} decides, and the {@link OutcomeWriter}
 * writes, a group of outcomes at a time. Observe, decide, act. Tests call {@link #runOnce()}
 * directly.
 */
@ApplicationScoped
public class PollCycle {

  private static final Logger LOG = Logger.getLogger(PollCycle.class);
  private static final int MAX_PENDING_WRITE_GROUPS = 10_000;

  private final Claimer claimer;
  private final Checker checker;
  private final WritePlanner planner;
  private final OutcomeWriter writer;
  private final LoopProgress progress;
  private final LifecycleRecorder lifecycle;
  private final PollConfig config;
  private final Clock clock;
  private final String owner;
  private final AtomicReference<CompletableFuture<Void>> cycleInFlight =
      new AtomicReference<>(CompletableFuture.completedFuture(null));

  PollCycle(
      Claimer claimer,
      Checker checker,
      WritePlanner planner,
      OutcomeWriter writer,
      LoopProgress progress,
      LifecycleRecorder lifecycle,
      PollConfig config,
      Clock clock,
      ReplicaIdentity replica) {
    this.claimer = claimer;
    this.checker = checker;
    this.planner = planner;
    this.writer = writer;
    this.progress = progress;
    this.lifecycle = lifecycle;
    this.config = config;
    this.clock = clock;
    this.owner = replica.id();
  }

  /**
   * Claims and checks everything due now, then completes with what it did. Work due in more than
   * one cycle (max-checks-per-cycle) is worked in cycles back to back through the one pipeline: a
   * cycle ends at its bound while its checks are still in flight, and the next cycle's claims
   * follow at once, so a backlog is worked without an idle tick and without draining the checks in
   * flight at each cycle's end. It completes once a claim finds nothing due and every outcome is
   * written.
   */
  public Uni<CycleReport> runOnce() {
    CycleTally tally = new CycleTally();
    CompletableFuture<Void> ended = new CompletableFuture<>();
    return claimer
        .due(tally, progress::cycleEnded)
        .onItem()
        .transformToUni(this::watchedCheck)
        .merge(config.maxConcurrentPolls())
        .group()
        .intoLists()
        .of(config.batchSize(), config.writeFlushInterval())
        // The flush timer emits regardless of demand; hold its groups while a write runs.
        .onOverflow()
        .buffer(MAX_PENDING_WRITE_GROUPS)
        .onItem()
        .transformToUniAndConcatenate(plans -> writer.write(plans, tally))
        .collect()
        .last()
        .map(ignored -> tally.report())
        .onSubscription()
        .invoke(() -> cycleInFlight.set(ended))
        .onTermination()
        .invoke(
            () -> {
              progress.cycleEnded();
              ended.complete(null);
            });
  }

  /**
   * Graceful stop: no more claims; the cycle in flight gets {@code grace} to finish its checks and
   * write their outcomes; then every lease still held is released, so other replicas take the work
   * at once instead of after the lease expires. Returns how many leases were released.
   */
  public Uni<Integer> stop(Duration grace) {
    claimer.stop();
    return Uni.createFrom()
        .completionStage(cycleInFlight.get())
        .ifNoItem()
        .after(grace)
        .recoverWithItem((Void) null)
        .chain(writer::releaseAll)
        .invoke(
            released ->
                LOG.infof(
                    "POLL_STOPPED replica=%s leasesReleased=%d checksInFlight=%d",
                    owner, released, progress.snapshot().checksInFlight()));
  }

  /**
   * A check counted in flight until it ends, one way or another (the watchdog's progress), then
   * decided; its outcome and duration are recorded.
   */
  private Uni<WritePlan> watchedCheck(ClaimedExecution execution) {
    return Uni.createFrom()
        .deferred(
            () -> {
              progress.checkStarted();
              Timer.Sample started = lifecycle.checkStarted();
              return checker
                  .check(execution)
                  .map(outcome -> planner.plan(outcome, clock.instant()))
                  .invoke(plan -> lifecycle.checkEnded(started, plan.outcome(), plan::ids));
            })
        .onTermination()
        .invoke(progress::checkEnded);
  }
}
