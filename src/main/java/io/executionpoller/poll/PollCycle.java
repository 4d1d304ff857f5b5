package io.executionpoller.poll;

import io.executionpoller.crashpoint.CrashPoint;
import io.executionpoller.crashpoint.CrashPoints;
import io.executionpoller.execution.EventType;
import io.executionpoller.execution.ExecutionStatus;
import io.executionpoller.metrics.PollerMetrics;
import io.executionpoller.remote.AmcClient;
import io.executionpoller.remote.CallDeferred;
import io.executionpoller.remote.guard.RemoteGate;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * One pass of the poll loop on this replica: claim due executions in batches, check each against
 * AMC with at most {@code max-concurrent-polls} in flight, decide, and write. Observe, decide, act:
 * the client observes, {@link WritePlanner} decides, {@link ExecutionStore} writes. Tests call
 * {@link #runOnce()} directly.
 */
@ApplicationScoped
public class PollCycle {

  private static final Logger LOG = Logger.getLogger(PollCycle.class);
  private static final int MAX_PENDING_WRITE_GROUPS = 10_000;

  private final ExecutionStore store;
  private final LoopProgress progress;
  private final OutageLog claimLog = new OutageLog(Duration.ofMinutes(1));
  private final AtomicReference<CompletableFuture<Void>> cycleInFlight =
      new AtomicReference<>(CompletableFuture.completedFuture(null));
  private volatile boolean stopping;
  private final AmcClient amc;
  private final PollConfig config;
  private final RetryConfig retry;
  private final TimeoutConfig timeout;
  private final Clock clock;
  private final String owner;
  private final WritePlanner planner;
  private final LifecycleRecorder lifecycle;
  private final CrashPoints crashPoints;
  private final UnansweredCreates unanswered;

  @Inject
  PollCycle(
      ExecutionStore store,
      AmcClient amc,
      PollConfig config,
      RetryConfig retry,
      TimeoutConfig timeout,
      Clock clock,
      ReplicaIdentity replica,
      LoopProgress progress,
      MeterRegistry registry,
      CrashPoints crashPoints) {
    this(store, amc, config, retry, timeout, clock, replica.id(), progress, registry, crashPoints);
  }

  /** A cycle with an explicit owner: tests run two of these to play two replicas. */
  public PollCycle(
      ExecutionStore store,
      AmcClient amc,
      PollConfig config,
      RetryConfig retry,
      TimeoutConfig timeout,
      Clock clock,
      String owner,
      MeterRegistry registry) {
    this(
        store,
        amc,
        config,
        retry,
        timeout,
        clock,
        owner,
        new LoopProgress(clock),
        registry,
        CrashPoints.off());
  }

  private PollCycle(
      ExecutionStore store,
      AmcClient amc,
      PollConfig config,
      RetryConfig retry,
      TimeoutConfig timeout,
      Clock clock,
      String owner,
      LoopProgress progress,
      MeterRegistry registry,
      CrashPoints crashPoints) {
    this.progress = progress;
    this.crashPoints = crashPoints;
    this.store = store;
    this.amc = amc;
    this.config = config;
    this.retry = retry;
    this.timeout = timeout;
    this.clock = clock;
    this.owner = owner;
    // java.util.Random is thread-safe; jitter needs no better randomness than that.
    this.planner = new WritePlanner(WritePlanner.Settings.of(config, retry, timeout), new Random());
    this.lifecycle = new LifecycleRecorder(new PollerMetrics(registry));
    this.unanswered = new UnansweredCreates(amc, store, retry);
  }

  public String owner() {
    return owner;
  }

  /** Claims and checks everything due now (bounded by max-checks-per-cycle), then completes. */
  public Uni<CycleReport> runOnce() {
    Tally tally = new Tally();
    CompletableFuture<Void> ended = new CompletableFuture<>();
    return dueExecutions(tally)
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
        .transformToUniAndConcatenate(plans -> persist(plans, tally))
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
    stopping = true;
    return Uni.createFrom()
        .completionStage(cycleInFlight.get())
        .ifNoItem()
        .after(grace)
        .recoverWithItem((Void) null)
        .chain(() -> store.releaseAll(owner, clock.instant()))
        .invoke(
            released ->
                LOG.infof(
                    "POLL_STOPPED replica=%s leasesReleased=%d checksInFlight=%d",
                    owner, released, progress.snapshot().checksInFlight()));
  }

  private Multi<ClaimedExecution> dueExecutions(Tally tally) {
    int batch = config.batchSize();
    long maxBatches = Math.max(1, (config.maxChecksPerCycle() + batch - 1) / batch);
    // Claim again while claims come back, up to the cycle's bound; an empty claim ends the cycle.
    // A partial batch does not: another replica's claim may have held rows we skipped.
    return Multi.createBy()
        .repeating()
        .uni(this::claimBatch)
        .whilst(claims -> !claims.isEmpty())
        .select()
        .first(maxBatches)
        // Claim the next batch while this one is being checked: a claim that only starts when
        // the batch runs out lets the checks in flight drain once per batch (about 10% of the
        // throughput at 64 in flight). One batch ahead, never past the cycle's bound.
        .emitOn(Infrastructure.getDefaultExecutor(), 1)
        .onItem()
        .invoke(claims -> tally.claimed.addAndGet(claims.size()))
        .onItem()
        .disjoint();
  }

  private Uni<List<ClaimedExecution>> claimBatch() {
    if (stopping) {
      return Uni.createFrom().item(List.of());
    }
    Instant now = clock.instant();
    // A failed claim ends the cycle cleanly (as an empty claim would): the checks already in
    // flight finish and are written; the next tick claims again.
    return store
        .claim(owner, now, config.leaseDuration(), config.batchSize())
        .onItem()
        .invoke(this::claimSucceeded)
        .onFailure()
        .invoke(this::claimFailed)
        .onFailure()
        .recoverWithItem(List.of());
  }

  /** A database outage fails every claim; say so once, then once a minute, then on recovery. */
  private void claimFailed(Throwable failure) {
    Instant now = clock.instant();
    synchronized (claimLog) {
      switch (claimLog.failed(now)) {
        case FIRST_FAILURE:
          LOG.errorf("claiming due executions failed (database unreachable?): %s", failure);
          break;
        case STILL_FAILING:
          LOG.errorf(
              "claiming still failing since %s (%d failed claims not logged): %s",
              claimLog.failingSince(), claimLog.takeUnlogged(), failure);
          break;
        default:
          break;
      }
    }
  }

  private void claimSucceeded(List<ClaimedExecution> claims) {
    if (!claims.isEmpty()) {
      crashPoints.reached(CrashPoint.AFTER_CLAIM, claims.get(0).id());
    }
    synchronized (claimLog) {
      Instant since = claimLog.failingSince();
      if (claimLog.succeeded() == OutageLog.Line.RECOVERED) {
        LOG.infof("claiming recovered after %d failed claims since %s", claimLog.failures(), since);
      }
    }
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
              return check(execution)
                  .map(outcome -> planner.plan(outcome, clock.instant()))
                  .map(plan -> lifecycle.checkEnded(started, plan));
            })
        .onTermination()
        .invoke(progress::checkEnded);
  }

  /** Submits or checks one execution; never fails, a failure is an outcome. */
  private Uni<CheckOutcome> check(ClaimedExecution execution) {
    if (clock.instant().plus(config.checkDeadline()).isAfter(execution.leaseExpiresAt())) {
      return Uni.createFrom().item(new CheckOutcome.LeaseTooShort(execution));
    }
    // A submission bumps the version when it records its attempt; whatever ends the check
    // (answer, failure, deadline), the outcome must carry the version the row now has.
    AtomicReference<ClaimedExecution> current = new AtomicReference<>(execution);
    Uni<CheckOutcome> work =
        execution.needsSubmission() ? submit(execution, current) : observe(execution);
    return work.ifNoItem()
        .after(config.checkDeadline())
        .failWith(
            () -> new TimeoutException("check passed its deadline of " + config.checkDeadline()))
        .onFailure()
        .recoverWithItem(failure -> new CheckOutcome.Failed(current.get(), failure));
  }

  private Uni<CheckOutcome> observe(ClaimedExecution execution) {
    return amc.getExecution(execution.target(), execution.amcExecutionId())
        .invoke(remote -> crashPoints.reached(CrashPoint.AFTER_REMOTE_STATUS, execution.id()))
        .map(remote -> new CheckOutcome.Observed(execution, remote));
  }

  /**
   * Submits an execution that has no remote id. If a create was sent before and never answered, the
   * remote execution may exist: look for it first and adopt it rather than create a second.
   */
  private Uni<CheckOutcome> submit(
      ClaimedExecution execution, AtomicReference<ClaimedExecution> current) {
    Uni<CheckOutcome> adopted =
        execution.hadUnansweredCreate() ? findOwnExecution(execution) : Uni.createFrom().nullItem();
    return adopted.chain(
        found -> found != null ? Uni.createFrom().item(found) : createRemotely(execution, current));
  }

  private Uni<CheckOutcome> findOwnExecution(ClaimedExecution execution) {
    return unanswered
        .find(execution)
        .map(found -> found == null ? null : new CheckOutcome.Submitted(execution, found, true));
  }

  private Uni<CheckOutcome> createRemotely(
      ClaimedExecution execution, AtomicReference<ClaimedExecution> current) {
    // Ask the breaker first, then write the attempt, then send: an unanswered create can then be
    // recognised, and a create that could not go leaves no attempt behind.
    return amc.admit(execution.target())
        .chain(
            admission ->
                store
                    .markSubmitAttempt(owner, clock.instant(), execution)
                    .onFailure()
                    .invoke(() -> amc.release(admission))
                    .chain(
                        version -> {
                          if (version == null) {
                            amc.release(admission);
                            return Uni.createFrom()
                                .item((CheckOutcome) new CheckOutcome.LostClaim(execution));
                          }
                          ClaimedExecution marked = execution.withVersion(version);
                          current.set(marked);
                          return sendCreate(admission, marked);
                        }));
  }

  /** The execution carries the version written with the attempt, whatever the create answers. */
  private Uni<CheckOutcome> sendCreate(RemoteGate.Admission admission, ClaimedExecution execution) {
    return amc.createExecution(admission, execution.target(), execution.createRequest())
        .map(remote -> (CheckOutcome) new CheckOutcome.Submitted(execution, remote, false))
        .onFailure()
        .recoverWithItem(
            failure ->
                failure instanceof CallDeferred deferred
                    ? new CheckOutcome.CreateHeldBack(execution, deferred)
                    : new CheckOutcome.Failed(execution, failure));
  }

  private Uni<Void> persist(List<WritePlan> plans, Tally tally) {
    Instant now = clock.instant();
    List<WritePlan.Reschedule> unchanged = new ArrayList<>();
    List<WritePlan.Defer> deferred = new ArrayList<>();
    List<WritePlan> singles = new ArrayList<>();
    for (WritePlan plan : plans) {
      if (plan instanceof WritePlan.Reschedule reschedule) {
        unchanged.add(reschedule);
      } else if (plan instanceof WritePlan.Defer defer) {
        deferred.add(defer);
      } else if (plan instanceof WritePlan.Update || plan instanceof WritePlan.Resubmit) {
        singles.add(plan);
      }
    }
    Uni<Void> batched =
        store
            .reschedule(owner, now, unchanged)
            .invoke(written -> tally.recordRescheduled(unchanged.size(), written))
            .chain(() -> store.defer(owner, now, deferred))
            .invoke(written -> tally.recordDeferred(deferred.size(), written))
            .replaceWithVoid();
    return Multi.createFrom()
        .iterable(singles)
        .onItem()
        .transformToUniAndConcatenate(plan -> applySingle(now, plan, tally))
        .collect()
        .last()
        .chain(() -> batched)
        .onFailure()
        .invoke(failure -> LOG.errorf(failure, "writing %d check outcomes failed", plans.size()))
        .onFailure()
        .recoverWithNull();
  }

  private Uni<Void> applySingle(Instant now, WritePlan plan, Tally tally) {
    if (plan instanceof WritePlan.Resubmit resubmit) {
      return applyResubmit(now, resubmit, tally);
    }
    WritePlan.Update update = (WritePlan.Update) plan;
    return update.takesRemoteId()
        ? applySubmission(now, update, tally)
        : applyUpdate(now, update, tally);
  }

  /**
   * Writes a check that gives the execution its remote id. The run exists at AMC whatever becomes
   * of the write, so a write that cannot land must not leave it untracked.
   */
  private Uni<Void> applySubmission(Instant now, WritePlan.Update update, Tally tally) {
    return store
        .applySubmission(owner, now, update)
        .invoke(written -> recordSubmission(update, written, tally))
        .chain(written -> afterSubmission(now, update, written))
        .onFailure()
        .recoverWithUni(
            failure -> releaseAfterFailedWrite(failure, now, update.execution()).replaceWithVoid());
  }

  private void recordSubmission(
      WritePlan.Update update, ExecutionStore.SubmissionWrite written, Tally tally) {
    if (written == ExecutionStore.SubmissionWrite.TRACKED_ELSEWHERE) {
      return;
    }
    boolean applied = written == ExecutionStore.SubmissionWrite.APPLIED;
    tally.recordUpdate(update, applied);
    logUpdate(update, applied);
    crashIfTransitionWritten(update, applied);
  }

  private Uni<Void> afterSubmission(
      Instant now, WritePlan.Update update, ExecutionStore.SubmissionWrite written) {
    return switch (written) {
      case APPLIED -> Uni.createFrom().voidItem();
      case TRACKED_ELSEWHERE -> lookAgain(now, update);
      case LOST -> settleLateRun(now, update);
    };
  }

  /**
   * Another row of the instance tracks the run this check found (or made: a listing adopted it
   * first): not adopted. The execution is handed back due at once, its attempt kept, so its next
   * check lists again and adopts another match or creates its own run.
   */
  private Uni<Void> lookAgain(Instant now, WritePlan.Update update) {
    ClaimedExecution execution = update.execution();
    LOG.infof(
        "execution %s: remote execution %s is tracked by another execution of instance %s; not"
            + " adopted, looking again",
        execution.id(), update.amcExecutionId(), execution.target().instanceId());
    return store.releaseLease(owner, now, now, execution).replaceWithVoid();
  }

  /**
   * AMC made a run for this execution, but the row moved on before the answer was written (an
   * operator's cancel, a stop that released the lease, a lease that expired). The row adopts the
   * run if it still waits for one; a row that tracks it needs nothing; else it is cancelled at AMC,
   * so that no run is left going untracked.
   *
   * <p>One race is left open, and argued rather than tested: another row with the same query on the
   * same instance may adopt the run by listing between the decision to cancel and the cancel. That
   * row then sees the run CANCELLED at its next check and records it, so nothing goes unnoticed;
   * closing it would take a lock across a remote call.
   */
  private Uni<Void> settleLateRun(Instant now, WritePlan.Update update) {
    ClaimedExecution execution = update.execution();
    String remote = update.amcExecutionId();
    return store
        .settleLateRun(owner, now, execution, remote, update.remoteStatus())
        .chain(
            fate ->
                switch (fate) {
                  case TRACKED -> Uni.createFrom().voidItem();
                  case ADOPTED -> {
                    lifecycle.lateRun(
                        LifecycleRecorder.ids(execution, remote),
                        EventType.SUBMITTED,
                        "adopted: its create was answered after the execution had moved on");
                    yield Uni.createFrom().voidItem();
                  }
                  case UNWANTED -> cancelLateRun(now, execution, remote);
                })
        .onFailure()
        .invoke(
            failure ->
                lifecycle.lateRun(
                    LifecycleRecorder.ids(execution, remote),
                    EventType.REMOTE_CANCEL_FAILED,
                    "remote execution created after the execution had moved on could not be"
                        + " settled and may be left running: "
                        + failure));
  }

  private Uni<Void> cancelLateRun(Instant now, ClaimedExecution execution, String remote) {
    return amc.cancelExecution(execution.target(), remote)
        .map(
            ignored ->
                new NewEvent(
                    EventType.REMOTE_ORPHAN_CANCELLED,
                    null,
                    null,
                    null,
                    "remote execution cancelled: its create was answered after the execution"
                        + " had moved on, and nothing else tracks it"))
        .onFailure()
        .recoverWithItem(
            failure ->
                new NewEvent(
                    EventType.REMOTE_CANCEL_FAILED,
                    null,
                    null,
                    null,
                    "remote execution created after the execution had moved on is still running:"
                        + " cancelling it failed, housekeeping tries again: "
                        + failure.getMessage()))
        .invoke(
            event ->
                lifecycle.lateRun(
                    LifecycleRecorder.ids(execution, remote), event.type(), event.message()))
        .chain(
            event ->
                event.type() == EventType.REMOTE_ORPHAN_CANCELLED
                    ? store
                        .orphanSettled(now, execution.id(), remote)
                        .chain(() -> store.appendEvent(owner, now, execution, remote, event))
                    : store.appendEvent(owner, now, execution, remote, event));
  }

  private Uni<Void> applyResubmit(Instant now, WritePlan.Resubmit plan, Tally tally) {
    return store
        .resubmit(owner, now, plan)
        .invoke(applied -> tally.recordResubmit(applied))
        .invoke(
            applied -> {
              if (applied) {
                lifecycle.resubmitApplied(plan);
              }
            })
        .onFailure()
        .recoverWithUni(failure -> releaseAfterFailedWrite(failure, now, plan.execution()))
        .replaceWithVoid();
  }

  /**
   * Logs a write that failed (a constraint, a lost connection), which must not leave the execution
   * leased until the lease expires: hand it back, due one interval later (not at once: a write that
   * keeps failing must not turn into a check every tick). The guard makes this a no-op when the row
   * is no longer ours.
   */
  private Uni<Boolean> releaseAfterFailedWrite(
      Throwable failure, Instant now, ClaimedExecution execution) {
    LOG.errorf(failure, "writing execution %s failed", execution.id());
    return store
        .releaseLease(owner, now, now.plus(config.interval()), execution)
        .onFailure()
        .invoke(ignored -> LOG.warnf("releasing the lease of %s failed too", execution.id()))
        .onFailure()
        .recoverWithItem(false);
  }

  private Uni<Void> applyUpdate(Instant now, WritePlan.Update update, Tally tally) {
    return store
        .apply(owner, now, update)
        .invoke(applied -> tally.recordUpdate(update, applied))
        .invoke(applied -> logUpdate(update, applied))
        .invoke(applied -> crashIfTransitionWritten(update, applied))
        .call(
            applied ->
                applied && update.newStatus() == ExecutionStatus.TIMEOUT && timeout.cancelRemote()
                    ? cancelRemotely(now, update.execution())
                    : Uni.createFrom().voidItem())
        .onFailure()
        .recoverWithUni(failure -> releaseAfterFailedWrite(failure, now, update.execution()))
        .replaceWithVoid();
  }

  private void crashIfTransitionWritten(WritePlan.Update update, boolean applied) {
    if (applied && update.transitions() > 0) {
      crashPoints.reached(CrashPoint.AFTER_TRANSITION_WRITE, update.execution().id());
    }
  }

  /** Cancels a timed-out execution at AMC and records what came of it; never fails the write. */
  private Uni<Void> cancelRemotely(Instant now, ClaimedExecution execution) {
    String remote = execution.amcExecutionId();
    return amc.cancelExecution(execution.target(), remote)
        .map(
            ignored ->
                new NewEvent(
                    EventType.REMOTE_CANCELLED,
                    null,
                    null,
                    null,
                    "remote execution cancelled after the timeout"))
        .onFailure()
        .recoverWithItem(
            failure ->
                new NewEvent(
                    EventType.REMOTE_CANCEL_FAILED, null, null, null, failure.getMessage()))
        .invoke(
            event ->
                lifecycle.remoteCancel(
                    LifecycleRecorder.ids(execution, remote), event.type(), event.message()))
        .chain(event -> store.appendEvent(owner, now, execution, remote, event));
  }

  private void logUpdate(WritePlan.Update update, boolean applied) {
    if (applied) {
      lifecycle.updateApplied(update);
    } else {
      LOG.debugf("execution %s changed under us; outcome dropped", update.execution().id());
    }
  }

  /** Counters for one cycle; merged from concurrent callbacks. */
  private static final class Tally {
    final AtomicInteger claimed = new AtomicInteger();
    final AtomicInteger unchanged = new AtomicInteger();
    final AtomicInteger updated = new AtomicInteger();
    final AtomicInteger transitions = new AtomicInteger();
    final AtomicInteger failedChecks = new AtomicInteger();
    final AtomicInteger lostWrites = new AtomicInteger();
    final AtomicInteger deferred = new AtomicInteger();
    final AtomicInteger resubmitted = new AtomicInteger();

    void recordRescheduled(int attempted, int written) {
      unchanged.addAndGet(written);
      lostWrites.addAndGet(attempted - written);
    }

    void recordDeferred(int attempted, int written) {
      deferred.addAndGet(written);
      lostWrites.addAndGet(attempted - written);
    }

    void recordResubmit(boolean applied) {
      (applied ? resubmitted : lostWrites).incrementAndGet();
    }

    void recordUpdate(WritePlan.Update update, boolean applied) {
      if (!applied) {
        lostWrites.incrementAndGet();
        return;
      }
      updated.incrementAndGet();
      transitions.addAndGet((int) update.transitions());
      if (update.lastErrorAt() != null) {
        failedChecks.incrementAndGet();
      }
    }

    CycleReport report() {
      return new CycleReport(
          claimed.get(),
          unchanged.get(),
          updated.get(),
          transitions.get(),
          failedChecks.get(),
          lostWrites.get(),
          deferred.get(),
          resubmitted.get());
    }
  }
}
