package io.executionpoller.admin;

import io.executionpoller.api.ApiProblem;
import io.executionpoller.db.Sessions;
import io.executionpoller.db.StoredText;
import io.executionpoller.execution.EventRows;
import io.executionpoller.execution.EventType;
import io.executionpoller.execution.ExecutionStateMachine;
import io.executionpoller.execution.ExecutionStatus;
import io.executionpoller.failure.ErrorClassifier;
import io.executionpoller.logging.LifecycleRecorder;
import io.executionpoller.poll.CreateSettleWindow;
import io.executionpoller.poll.PollConfig;
import io.executionpoller.poll.UnansweredCreates;
import io.executionpoller.remote.AmcClient;
import io.executionpoller.remote.AmcConfig;
import io.executionpoller.remote.CallerContext;
import io.executionpoller.remote.RemoteFailures;
import io.executionpoller.replica.ReplicaIdentity;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * An operator's cancel: at AMC first, then locally, in rounds of read, decide and guarded write. It
 * races the poll loop on any replica: the local write is guarded by the version it read, so
 * whichever writes first wins and the other finds the row changed. AMC is called between
 * transactions, never inside one. Lines and metrics go through the loop's {@link
 * LifecycleRecorder}, so an operator's cancel looks like any other transition.
 */
@ApplicationScoped
public class ExecutionCancel {

  /** An upper bound over the client's own per-request timeouts and in-call repeats. */
  private static final Duration REMOTE_CANCEL_DEADLINE = Duration.ofSeconds(60);

  /**
   * Guarded by the version the cancel read, which every write of the loop moves on (a claim, the
   * attempt mark before a create, the remote id): a cancel decided on a row without a submission
   * cannot land once the loop has sent a create. The version moves on in turn, so a check in flight
   * on any replica cannot write over the cancel.
   */
  private static final String CANCEL =
      """
      UPDATE workflow_executions
         SET status = ?, status_reason = ?, completed_at = ?, lease_owner = NULL,
             lease_expires_at = NULL, version = version + 1, updated_at = ?,
             execution_duration = CAST(EXTRACT(EPOCH FROM ? - started_at) AS INTEGER)
       WHERE id = ? AND status = ? AND version = ?
      RETURNING execution_duration
      """;

  /**
   * Rounds of read, decide, guarded write before a cancel gives up on a row that keeps changing.
   */
  private static final int CANCEL_ROUNDS = 3;

  /**
   * One round of a cancel: which round it is, the remote id already cancelled at AMC and the
   * unanswered create already searched for, so a later round does neither twice.
   */
  private record CancelRound(
      UUID id,
      String caller,
      Context context,
      int round,
      String cancelledRemote,
      Instant searchedFor) {

    CancelRound next() {
      return new CancelRound(id, caller, context, round + 1, cancelledRemote, searchedFor);
    }

    CancelRound searched(Instant attempt) {
      return new CancelRound(id, caller, context, round, cancelledRemote, attempt);
    }

    CancelRound remoteCancelled(String remoteId) {
      return new CancelRound(id, caller, context, round, remoteId, searchedFor);
    }
  }

  private final AmcClient amc;
  private final UnansweredCreates unanswered;
  private final LifecycleRecorder lifecycle;
  private final Clock clock;
  private final String replica;
  private final Duration settleWindow;

  ExecutionCancel(
      AmcClient amc,
      UnansweredCreates unanswered,
      LifecycleRecorder lifecycle,
      Clock clock,
      ReplicaIdentity replica,
      AmcConfig amcConfig,
      PollConfig poll) {
    this.amc = amc;
    this.unanswered = unanswered;
    this.lifecycle = lifecycle;
    this.clock = clock;
    this.replica = replica.id();
    this.settleWindow = CreateSettleWindow.of(amcConfig, poll);
  }

  /**
   * Cancels at AMC (when it was submitted), then locally. A refused remote cancel changes nothing
   * here: the execution stays tracked and the answer says why. A create sent but not answered is
   * waited for until its settle window (CreateSettleWindow) has passed; then its run, if AMC made
   * one, is looked for, adopted and cancelled with the execution. Each round's local write is
   * guarded by the version it read; a row that changed meanwhile is read and decided again.
   */
  public Uni<ActionOutcome> cancel(UUID id, String caller) {
    return cancelRound(new CancelRound(id, caller, Vertx.currentContext(), 1, null, null));
  }

  private Uni<ActionOutcome> cancelRound(CancelRound round) {
    return ActionRow.load(round.id()).chain(execution -> decideCancel(round, execution));
  }

  private Uni<ActionOutcome> decideCancel(CancelRound round, ActionRow execution) {
    if (!ExecutionStateMachine.isAllowed(execution.status(), ExecutionStatus.CANCELLED)) {
      throw ApiProblem.conflict(
          "execution is " + execution.status() + "; only PENDING or RUNNING can be cancelled");
    }
    Instant attempted = execution.submitAttemptedAt();
    if (execution.remoteId() == null && attempted != null) {
      Instant answerable = attempted.plus(settleWindow);
      if (clock.instant().isBefore(answerable)) {
        // Cancelling now could orphan a remote execution whose create answer is on its way.
        throw ApiProblem.conflict(
            "its submission to AMC is in flight since "
                + attempted
                + "; cancel again once it has a remote id, or after "
                + answerable);
      }
      if (!attempted.equals(round.searchedFor())) {
        CancelRound searched = round.searched(attempted);
        return adoptBeforeCancel(round, execution)
            .chain(
                adopted ->
                    adopted != null
                        ? cancelRound(searched.next())
                        : cancelLoaded(searched, execution));
      }
    }
    return cancelLoaded(round, execution);
  }

  /** Remotely first (once per remote id), then the guarded local write. */
  private Uni<ActionOutcome> cancelLoaded(CancelRound round, ActionRow execution) {
    boolean remote = execution.remoteId() != null;
    Uni<CancelRound> remoteFirst =
        remote && !execution.remoteId().equals(round.cancelledRemote())
            ? cancelRemotely(round, execution)
                .replaceWith(round.remoteCancelled(execution.remoteId()))
            : Uni.createFrom().item(round);
    return remoteFirst.chain(
        done ->
            cancelLocally(done.id(), execution, remote, done.caller())
                .chain(
                    outcome ->
                        outcome != null
                            ? Uni.createFrom().item(outcome)
                            : afterRowChanged(done, remote)));
  }

  /** The guarded write found the row changed: the loop may have cancelled it, else try again. */
  private Uni<ActionOutcome> afterRowChanged(CancelRound round, boolean remote) {
    return ActionRow.load(round.id())
        .chain(
            current -> {
              if (current.status() == ExecutionStatus.CANCELLED) {
                // A check saw the remote cancel first and recorded the transition: the same
                // outcome.
                return Uni.createFrom()
                    .item(
                        new ActionOutcome(
                            round.id(),
                            "cancel",
                            current.status(),
                            remote,
                            null,
                            null,
                            "cancelled (recorded by the poll loop)"));
              }
              if (round.round() >= CANCEL_ROUNDS) {
                throw ApiProblem.conflict(
                    "execution changed while it was being cancelled; it is now "
                        + current.status());
              }
              return cancelRound(round.next());
            });
  }

  /**
   * Looks at AMC for the run of a create that was never answered and adopts it; its remote id, or
   * null when there was none (or the row changed meanwhile).
   */
  private Uni<String> adoptBeforeCancel(CancelRound round, ActionRow execution) {
    return CallerContext.answeredOn(
            round.context(),
            unanswered
                .adoptBeforeCancel(round.id(), execution.version(), replica, clock.instant())
                .ifNoItem()
                .after(REMOTE_CANCEL_DEADLINE)
                .fail())
        .onFailure()
        .transform(
            failure ->
                new ApiProblem(
                    502,
                    "AMC could not be searched for the run of the unanswered create ("
                        + remoteFailureType(failure)
                        + "): "
                        + failure.getMessage()
                        + "; nothing was changed"));
  }

  /** The guarded local cancel and its events; null when the row changed since it was read. */
  private Uni<ActionOutcome> cancelLocally(
      UUID id, ActionRow execution, boolean remote, String caller) {
    Instant now = clock.instant();
    String reason = "cancelled by " + caller;
    return Sessions.write(
            session ->
                markCancelled(session, id, execution, reason, now)
                    .call(
                        ran ->
                            ran == null
                                ? Uni.createFrom().voidItem()
                                : cancelEvents(
                                    session, id, execution, remote, caller, reason, now)))
        .map(ran -> ran == null ? null : cancelled(id, execution, remote, caller, reason, ran));
  }

  /** The committed cancel's lines and metrics, and the answer. */
  private ActionOutcome cancelled(
      UUID id, ActionRow execution, boolean remote, String caller, String reason, int ranSeconds) {
    if (remote) {
      lifecycle.remoteCancel(
          execution.ids(), EventType.REMOTE_CANCELLED, "remote execution cancelled by " + caller);
    }
    lifecycle.transitionWritten(
        execution.ids(),
        execution.status(),
        ExecutionStatus.CANCELLED,
        reason,
        null,
        ranSeconds < 0 ? null : ranSeconds);
    return new ActionOutcome(id, "cancel", ExecutionStatus.CANCELLED, remote, null, null, reason);
  }

  private Uni<Void> cancelEvents(
      Mutiny.Session session,
      UUID id,
      ActionRow execution,
      boolean remote,
      String caller,
      String reason,
      Instant now) {
    Uni<Void> remoteEvent =
        remote
            ? EventRows.insert(
                session,
                id,
                now,
                EventType.REMOTE_CANCELLED,
                "remote execution cancelled by " + caller,
                replica)
            : Uni.createFrom().voidItem();
    return remoteEvent.chain(
        () ->
            EventRows.insert(
                session,
                id,
                now,
                EventType.TRANSITION,
                execution.status(),
                ExecutionStatus.CANCELLED,
                reason,
                replica));
  }

  /**
   * The guarded update; null when the row is no longer as it was read, -1 for an execution that
   * never started (no run time), else its run time in seconds.
   */
  private static Uni<Integer> markCancelled(
      Mutiny.Session session, UUID id, ActionRow read, String reason, Instant now) {
    return session
        .createNativeQuery(CANCEL, Integer.class)
        .setParameter(1, ExecutionStatus.CANCELLED.name())
        .setParameter(2, StoredText.of(reason))
        .setParameter(3, now)
        .setParameter(4, now)
        .setParameter(5, now)
        .setParameter(6, id)
        .setParameter(7, read.status().name())
        .setParameter(8, read.version())
        .getResultList()
        .map(rows -> rows.isEmpty() ? null : rows.get(0) == null ? -1 : rows.get(0));
  }

  /**
   * Cancels the run at AMC, outside any transaction. A refusal is recorded as an event and answered
   * 502: nothing else changes.
   */
  private Uni<Void> cancelRemotely(CancelRound round, ActionRow execution) {
    return CallerContext.answeredOn(
            round.context(),
            amc.cancelExecution(execution.target(), execution.remoteId())
                .ifNoItem()
                .after(REMOTE_CANCEL_DEADLINE)
                .fail())
        .onFailure()
        .recoverWithUni(failure -> refusedRemotely(round, execution, failure));
  }

  private Uni<Void> refusedRemotely(CancelRound round, ActionRow execution, Throwable failure) {
    String detail =
        "AMC did not cancel the execution ("
            + remoteFailureType(failure)
            + "): "
            + failure.getMessage();
    return Sessions.write(
            session ->
                EventRows.insert(
                    session,
                    round.id(),
                    clock.instant(),
                    EventType.REMOTE_CANCEL_FAILED,
                    detail + "; requested by " + round.caller(),
                    replica))
        .invoke(
            () -> lifecycle.remoteCancel(execution.ids(), EventType.REMOTE_CANCEL_FAILED, detail))
        .chain(
            () -> Uni.createFrom().failure(new ApiProblem(502, detail + "; nothing was changed")));
  }

  private static String remoteFailureType(Throwable failure) {
    return ErrorClassifier.classify(RemoteFailures.facts(failure)).name();
  }
}
