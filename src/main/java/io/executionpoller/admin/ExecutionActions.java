package io.executionpoller.admin;

import io.executionpoller.api.ApiProblem;
import io.executionpoller.db.StoredText;
import io.executionpoller.execution.EventRows;
import io.executionpoller.execution.EventType;
import io.executionpoller.execution.ExecutionStateMachine;
import io.executionpoller.execution.ExecutionStatus;
import io.executionpoller.failure.ErrorClassifier;
import io.executionpoller.logging.ExecutionIds;
import io.executionpoller.logging.ExecutionLog;
import io.executionpoller.poll.CreateSettleWindow;
import io.executionpoller.poll.LifecycleRecorder;
import io.executionpoller.poll.PollConfig;
import io.executionpoller.poll.ReplicaIdentity;
import io.executionpoller.poll.UnansweredCreates;
import io.executionpoller.remote.AmcClient;
import io.executionpoller.remote.AmcConfig;
import io.executionpoller.remote.RemoteFailures;
import io.executionpoller.remote.RemoteTarget;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.DatabaseException;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import org.hibernate.JDBCException;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * What an operator may do to one execution: cancel it (remotely first), run a finished one again,
 * or have it checked now. Each action is one guarded statement plus its audit events in one
 * Hibernate Reactive transaction, so it races safely with the poll loop on any replica: whichever
 * writes first wins and the other finds the row changed. The guarded statements are native SQL
 * (version checks, INSERT ... SELECT), which an entity merge could not express. Remote calls to AMC
 * run between transactions, never inside one. Lines and metrics go through the loop's {@link
 * LifecycleRecorder}, so an operator's transition looks like any other.
 */
@ApplicationScoped
public class ExecutionActions {

  private static final ExecutionLog LOG = ExecutionLog.of(ExecutionActions.class);

  /** An upper bound over the client's own per-request timeouts and in-call repeats. */
  private static final Duration REMOTE_CANCEL_DEADLINE = Duration.ofSeconds(60);

  private static final Set<ExecutionStatus> RETRYABLE =
      Set.of(ExecutionStatus.FAILED, ExecutionStatus.TIMEOUT, ExecutionStatus.CANCELLED);

  /** The row as an action needs it, with how to reach it at AMC. */
  private static final String LOAD =
      """
      select e.status, e.version, e.amcExecutionId, e.submitAttemptedAt, e.workflowId,
             i.instanceId, a.advertiserId, a.marketplaceId, i.apiBaseUrl
        from WorkflowExecution e
        join AmcInstance i on i.id = e.instanceRef
        join AmcAccount a on a.id = i.accountId
       where e.id = :id
      """;

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

  /** Only an execution a check still reaches ({@link ExecutionStatus#ACTIVE}) is made due. */
  private static final String POLL_NOW =
      """
      UPDATE workflow_executions SET next_poll_at = ?, updated_at = ?
       WHERE id = ? AND status = ANY(CAST(? AS text[]))
      """;

  /** A new PENDING row copying what to run, only from a retryable (finished) execution. */
  private static final String RETRY =
      """
      INSERT INTO workflow_executions
             (id, workflow_id, status, created_at, updated_at, next_poll_at, parameters,
              time_window, retry_of)
      SELECT ?, workflow_id, ?, ?, ?, ?, parameters, time_window, id
        FROM workflow_executions
       WHERE id = ? AND status = ANY(CAST(? AS text[]))
      """;

  private static final String UNIQUE_VIOLATION = "23505";

  private static final String RETRIED_BY = "select id from WorkflowExecution where retryOf = :id";

  /**
   * The row as an action needs it: its status and version, its remote id or unanswered create, how
   * to reach it at AMC, and who it is.
   */
  private record Loaded(
      ExecutionStatus status,
      long version,
      String remoteId,
      Instant submitAttemptedAt,
      RemoteTarget target,
      ExecutionIds ids) {}

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

  ExecutionActions(
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
    return load(round.id()).chain(execution -> decideCancel(round, execution));
  }

  private Uni<ActionOutcome> decideCancel(CancelRound round, Loaded execution) {
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
  private Uni<ActionOutcome> cancelLoaded(CancelRound round, Loaded execution) {
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
    return load(round.id())
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
  private Uni<String> adoptBeforeCancel(CancelRound round, Loaded execution) {
    return onRequestContext(
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
      UUID id, Loaded execution, boolean remote, String caller) {
    Instant now = clock.instant();
    String reason = "cancelled by " + caller;
    return Panache.withTransaction(
            () ->
                Panache.getSession()
                    .chain(
                        session ->
                            markCancelled(session, id, execution, reason, now)
                                .call(
                                    ran ->
                                        ran == null
                                            ? Uni.createFrom().voidItem()
                                            : cancelEvents(
                                                session, id, execution, remote, caller, reason,
                                                now))))
        .map(
            ranSeconds -> {
              if (ranSeconds == null) {
                return null;
              }
              if (remote) {
                lifecycle.remoteCancel(
                    execution.ids(),
                    EventType.REMOTE_CANCELLED,
                    "remote execution cancelled by " + caller);
              }
              lifecycle.transitionWritten(
                  execution.ids(),
                  execution.status(),
                  ExecutionStatus.CANCELLED,
                  reason,
                  null,
                  ranSeconds < 0 ? null : ranSeconds);
              return new ActionOutcome(
                  id, "cancel", ExecutionStatus.CANCELLED, remote, null, null, reason);
            });
  }

  private Uni<Void> cancelEvents(
      Mutiny.Session session,
      UUID id,
      Loaded execution,
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
      Mutiny.Session session, UUID id, Loaded read, String reason, Instant now) {
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
  private Uni<Void> cancelRemotely(CancelRound round, Loaded execution) {
    return onRequestContext(
            round.context(),
            amc.cancelExecution(execution.target(), execution.remoteId())
                .ifNoItem()
                .after(REMOTE_CANCEL_DEADLINE)
                .fail())
        .onFailure()
        .recoverWithUni(failure -> refusedRemotely(round, execution, failure));
  }

  private Uni<Void> refusedRemotely(CancelRound round, Loaded execution, Throwable failure) {
    String detail =
        "AMC did not cancel the execution ("
            + remoteFailureType(failure)
            + "): "
            + failure.getMessage();
    return Panache.withTransaction(
            () ->
                Panache.getSession()
                    .chain(
                        session ->
                            EventRows.insert(
                                session,
                                round.id(),
                                clock.instant(),
                                EventType.REMOTE_CANCEL_FAILED,
                                detail + "; requested by " + round.caller(),
                                replica)))
        .invoke(
            () -> lifecycle.remoteCancel(execution.ids(), EventType.REMOTE_CANCEL_FAILED, detail))
        .chain(
            () -> Uni.createFrom().failure(new ApiProblem(502, detail + "; nothing was changed")));
  }

  /** Runs a FAILED, TIMEOUT or CANCELLED execution again as a new execution linked to it. */
  public Uni<ActionOutcome> retry(UUID id, String caller) {
    UUID retryId = UUID.randomUUID();
    return load(id)
        .chain(
            execution -> {
              if (!RETRYABLE.contains(execution.status())) {
                throw ApiProblem.conflict(
                    "execution is "
                        + execution.status()
                        + "; only FAILED, TIMEOUT or CANCELLED can be retried");
              }
              Instant now = clock.instant();
              return Panache.withTransaction(
                      () ->
                          Panache.getSession()
                              .chain(session -> insertRetry(session, id, retryId, caller, now)))
                  .onFailure(ExecutionActions::isRetriedElsewhere)
                  // Looked up once the failed transaction has ended: someone retried it first.
                  .recoverWithUni(
                      () ->
                          retriedBy(id)
                              .map(
                                  other ->
                                      ApiProblem.conflict(
                                          "execution was already retried as " + other))
                              .chain(problem -> Uni.createFrom().failure(problem)))
                  .map(
                      ignored -> {
                        LOG.info(
                            execution.ids(), "EXEC_RETRIED", "retry=%s by=%s", retryId, caller);
                        ExecutionIds original = execution.ids();
                        lifecycle.registered(
                            new ExecutionIds(
                                retryId, null, original.workflow(), original.instance()),
                            "retry of " + id + " by " + caller);
                        return new ActionOutcome(
                            id,
                            "retry",
                            execution.status(),
                            false,
                            now,
                            retryId,
                            "run again as " + retryId);
                      });
            });
  }

  private Uni<Void> insertRetry(
      Mutiny.Session session, UUID id, UUID retryId, String caller, Instant now) {
    return session
        .createNativeQuery(RETRY)
        .setParameter(1, retryId)
        .setParameter(2, ExecutionStatus.PENDING.name())
        .setParameter(3, now)
        .setParameter(4, now)
        .setParameter(5, now)
        .setParameter(6, id)
        .setParameter(7, ExecutionStatus.names(RETRYABLE))
        .executeUpdate()
        .invoke(
            inserted -> {
              if (inserted == 0) {
                throw ApiProblem.conflict("execution is no longer FAILED, TIMEOUT or CANCELLED");
              }
            })
        .chain(
            () ->
                EventRows.insert(
                    session,
                    id,
                    now,
                    EventType.RETRIED,
                    "run again as execution " + retryId + " by " + caller,
                    replica))
        .chain(
            () ->
                EventRows.insert(
                    session,
                    retryId,
                    now,
                    EventType.REGISTERED,
                    null,
                    ExecutionStatus.PENDING,
                    "retry of execution " + id + " by " + caller,
                    replica));
  }

  /** Makes a PENDING or RUNNING execution due now; a check already in flight is that check. */
  public Uni<ActionOutcome> pollNow(UUID id, String caller) {
    return load(id)
        .chain(
            execution -> {
              Instant now = clock.instant();
              return Panache.withTransaction(
                      () ->
                          Panache.getSession()
                              .chain(session -> makeDue(session, id, execution, caller, now)))
                  .map(
                      ignored ->
                          new ActionOutcome(
                              id,
                              "poll",
                              execution.status(),
                              false,
                              now,
                              null,
                              "due now; the next cycle checks it"));
            });
  }

  private Uni<Void> makeDue(
      Mutiny.Session session, UUID id, Loaded execution, String caller, Instant now) {
    return session
        .createNativeQuery(POLL_NOW)
        .setParameter(1, now)
        .setParameter(2, now)
        .setParameter(3, id)
        .setParameter(4, ExecutionStatus.names(ExecutionStatus.ACTIVE))
        .executeUpdate()
        .invoke(
            updated -> {
              if (updated == 0) {
                throw ApiProblem.conflict(
                    "execution is " + execution.status() + "; only PENDING or RUNNING are checked");
              }
            })
        .chain(
            () ->
                EventRows.insert(
                    session,
                    id,
                    now,
                    EventType.POLL_REQUESTED,
                    "check requested by " + caller,
                    replica));
  }

  private static Uni<Loaded> load(UUID id) {
    return Panache.withSession(
            () ->
                Panache.getSession()
                    .chain(
                        session ->
                            session
                                .createSelectionQuery(LOAD, Object[].class)
                                .setParameter("id", id)
                                .getSingleResultOrNull()))
        .map(
            row -> {
              if (row == null) {
                throw ApiProblem.notFound("execution " + id + " does not exist");
              }
              String remoteId = (String) row[2];
              String instance = (String) row[5];
              return new Loaded(
                  (ExecutionStatus) row[0],
                  (Long) row[1],
                  remoteId,
                  (Instant) row[3],
                  new RemoteTarget(instance, (String) row[6], (String) row[7], (String) row[8]),
                  new ExecutionIds(id, remoteId, (UUID) row[4], instance));
            });
  }

  private static Uni<UUID> retriedBy(UUID id) {
    return Panache.withSession(
        () ->
            Panache.getSession()
                .chain(
                    session ->
                        session
                            .createSelectionQuery(RETRIED_BY, UUID.class)
                            .setParameter("id", id)
                            .getSingleResultOrNull()));
  }

  /** A unique violation: the index on retry_of (migration V7) refused a second retry. */
  private static boolean isRetriedElsewhere(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      String state =
          cause instanceof JDBCException jdbc
              ? jdbc.getSQLState()
              : cause instanceof DatabaseException database ? database.getSqlState() : null;
      if (UNIQUE_VIOLATION.equals(state)) {
        return true;
      }
    }
    return false;
  }

  private static String remoteFailureType(Throwable failure) {
    return ErrorClassifier.classify(RemoteFailures.facts(failure)).name();
  }

  /**
   * {@code remote} with its answer handed back on the request's Vert.x context: the client may
   * answer on another thread (a retry's delay), and the transaction that follows needs the context
   * it was opened from.
   */
  private static <T> Uni<T> onRequestContext(Context context, Uni<T> remote) {
    if (context == null) {
      return remote;
    }
    return remote.emitOn(command -> context.runOnContext(ignored -> command.run()));
  }
}
