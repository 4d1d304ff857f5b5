package io.executionpoller.poll;

import io.executionpoller.crashpoint.CrashPoint;
import io.executionpoller.crashpoint.CrashPoints;
import io.executionpoller.execution.EventType;
import io.executionpoller.execution.ExecutionStatus;
import io.executionpoller.execution.NewEvent;
import io.executionpoller.logging.LifecycleRecorder;
import io.executionpoller.remote.AmcClient;
import io.executionpoller.replica.ReplicaIdentity;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * The last part of a cycle: writes what was decided for a group of checks. Unchanged and deferred
 * checks go in one statement each per group, and so do updates with their events (transitions,
 * failed checks); a check that gives the execution its remote id, and a retry, are written with
 * their events in a transaction of their own. Each is then acted on (a timed-out execution
 * cancelled at AMC, a run nobody tracks settled). A write that fails hands the lease back; a write
 * that finds the row moved on changes nothing. Leases still held at a graceful stop are released
 * here too.
 */
@ApplicationScoped
class OutcomeWriter {

  private static final Logger LOG = Logger.getLogger(OutcomeWriter.class);

  private final ExecutionStore store;
  private final AmcClient amc;
  private final PollConfig config;
  private final TimeoutConfig timeout;
  private final Clock clock;
  private final String owner;
  private final LifecycleRecorder lifecycle;
  private final CrashPoints crashPoints;

  OutcomeWriter(
      ExecutionStore store,
      AmcClient amc,
      PollConfig config,
      TimeoutConfig timeout,
      Clock clock,
      ReplicaIdentity replica,
      LifecycleRecorder lifecycle,
      CrashPoints crashPoints) {
    this.store = store;
    this.amc = amc;
    this.config = config;
    this.timeout = timeout;
    this.clock = clock;
    this.owner = replica.id();
    this.lifecycle = lifecycle;
    this.crashPoints = crashPoints;
  }

  /** Writes a group of plans; never fails (a failed write is logged and its lease handed back). */
  Uni<Void> write(List<WritePlan> plans, CycleTally tally) {
    Instant now = clock.instant();
    List<WritePlan.Reschedule> unchanged = new ArrayList<>();
    List<WritePlan.Defer> deferred = new ArrayList<>();
    List<WritePlan.Update> updates = new ArrayList<>();
    List<WritePlan> singles = new ArrayList<>();
    for (WritePlan plan : plans) {
      if (plan instanceof WritePlan.Reschedule reschedule) {
        unchanged.add(reschedule);
      } else if (plan instanceof WritePlan.Defer defer) {
        deferred.add(defer);
      } else if (plan instanceof WritePlan.Update update && !update.takesRemoteId()) {
        updates.add(update);
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
    return writeUpdates(now, updates, tally)
        .chain(
            () ->
                Multi.createFrom()
                    .iterable(singles)
                    .onItem()
                    .transformToUniAndConcatenate(plan -> writeSingle(now, plan, tally))
                    .collect()
                    .last())
        .chain(() -> batched)
        .onFailure()
        .invoke(failure -> LOG.errorf(failure, "writing %d check outcomes failed", plans.size()))
        .onFailure()
        .recoverWithNull();
  }

  /**
   * Writes the group's updates (transitions, failed checks, warnings) in one statement, then acts
   * on those written. A batch that fails as a whole (one row's constraint, a lost connection) is
   * written again one update at a time, so one bad execution does not sink the others'.
   */
  private Uni<Void> writeUpdates(Instant now, List<WritePlan.Update> updates, CycleTally tally) {
    if (updates.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    return store
        .applyAll(owner, now, updates)
        .map(Optional::of)
        .onFailure()
        .recoverWithItem(
            failure -> {
              LOG.warnf(
                  "writing %d updates in one statement failed, writing them one by one: %s",
                  updates.size(), failure.toString());
              return Optional.empty();
            })
        .chain(
            applied ->
                applied.isPresent()
                    ? actOnWritten(now, updates, applied.get(), tally)
                    : Multi.createFrom()
                        .iterable(updates)
                        .onItem()
                        .transformToUniAndConcatenate(update -> writeUpdate(now, update, tally))
                        .collect()
                        .last()
                        .replaceWithVoid());
  }

  /** Counts and logs each update of a batch, and cancels at AMC the timed-out ones written. */
  private Uni<Void> actOnWritten(
      Instant now, List<WritePlan.Update> updates, Set<UUID> applied, CycleTally tally) {
    List<ClaimedExecution> timedOut = new ArrayList<>();
    for (WritePlan.Update update : updates) {
      boolean written = applied.contains(update.execution().id());
      recordUpdate(update, written, tally);
      if (written && update.newStatus() == ExecutionStatus.TIMEOUT && timeout.cancelRemote()) {
        timedOut.add(update.execution());
      }
    }
    return Multi.createFrom()
        .iterable(timedOut)
        .onItem()
        .transformToUniAndConcatenate(
            execution ->
                cancelRemotely(now, execution)
                    .onFailure()
                    .recoverWithItem(
                        failure -> {
                          LOG.errorf(
                              failure, "recording the remote cancel of %s failed", execution.id());
                          return null;
                        }))
        .collect()
        .last()
        .replaceWithVoid();
  }

  /** Releases every lease this replica holds (a graceful stop); returns how many. */
  Uni<Integer> releaseAll() {
    return store.releaseAll(owner, clock.instant());
  }

  private Uni<Void> writeSingle(Instant now, WritePlan plan, CycleTally tally) {
    if (plan instanceof WritePlan.Resubmit resubmit) {
      return writeResubmit(now, resubmit, tally);
    }
    WritePlan.Update update = (WritePlan.Update) plan;
    return update.takesRemoteId()
        ? writeSubmission(now, update, tally)
        : writeUpdate(now, update, tally);
  }

  private Uni<Void> writeUpdate(Instant now, WritePlan.Update update, CycleTally tally) {
    return store
        .apply(owner, now, update)
        .invoke(applied -> recordUpdate(update, applied, tally))
        .call(
            applied ->
                applied && update.newStatus() == ExecutionStatus.TIMEOUT && timeout.cancelRemote()
                    ? cancelRemotely(now, update.execution())
                    : Uni.createFrom().voidItem())
        .onFailure()
        .recoverWithUni(failure -> releaseAfterFailedWrite(failure, now, update.execution()))
        .replaceWithVoid();
  }

  /**
   * Writes a check that gives the execution its remote id. The run exists at AMC whatever becomes
   * of the write, so a write that cannot land must not leave it untracked.
   */
  private Uni<Void> writeSubmission(Instant now, WritePlan.Update update, CycleTally tally) {
    return store
        .applySubmission(owner, now, update)
        .invoke(
            written -> {
              if (written != ExecutionStore.SubmissionWrite.TRACKED_ELSEWHERE) {
                recordUpdate(update, written == ExecutionStore.SubmissionWrite.APPLIED, tally);
              }
            })
        .chain(
            written ->
                switch (written) {
                  case APPLIED -> Uni.createFrom().voidItem();
                  case TRACKED_ELSEWHERE -> lookAgain(now, update);
                  case LOST -> settleLateRun(now, update);
                })
        .onFailure()
        .recoverWithUni(
            failure -> releaseAfterFailedWrite(failure, now, update.execution()).replaceWithVoid());
  }

  /** Counts and logs a written update; a transition written is where AFTER_TRANSITION_WRITE is. */
  private void recordUpdate(WritePlan.Update update, boolean applied, CycleTally tally) {
    tally.recordUpdate(update, applied);
    if (!applied) {
      LOG.debugf("execution %s changed under us; outcome dropped", update.execution().id());
      return;
    }
    lifecycle.written(
        update.ids(),
        update.events(),
        update.errors().type(),
        update.newStatus(),
        update.times().durationSeconds());
    if (update.transitions() > 0) {
      crashPoints.reached(CrashPoint.AFTER_TRANSITION_WRITE, update.execution().id());
    }
  }

  private Uni<Void> writeResubmit(Instant now, WritePlan.Resubmit plan, CycleTally tally) {
    return store
        .resubmit(owner, now, plan)
        .invoke(applied -> tally.recordResubmit(applied))
        .invoke(
            applied -> {
              if (applied) {
                lifecycle.retryScheduled(
                    plan.ids(),
                    plan.events(),
                    plan.errorType(),
                    plan.nextRetryAt(),
                    plan.lastError());
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
        execution.id(), update.remote().amcExecutionId(), execution.target().instanceId());
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
    String remote = update.remote().amcExecutionId();
    return store
        .settleLateRun(owner, now, execution, remote, update.remote().status())
        .chain(
            fate ->
                switch (fate) {
                  case TRACKED -> Uni.createFrom().voidItem();
                  case ADOPTED -> {
                    lifecycle.lateRun(
                        execution.ids(remote),
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
                    execution.ids(remote),
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
        .invoke(event -> lifecycle.lateRun(execution.ids(remote), event.type(), event.message()))
        .chain(
            event ->
                event.type() == EventType.REMOTE_ORPHAN_CANCELLED
                    ? store
                        .orphanSettled(now, execution.id(), remote)
                        .chain(() -> store.appendEvent(owner, now, execution, remote, event))
                    : store.appendEvent(owner, now, execution, remote, event));
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
            event -> lifecycle.remoteCancel(execution.ids(remote), event.type(), event.message()))
        .chain(event -> store.appendEvent(owner, now, execution, remote, event));
  }
}
