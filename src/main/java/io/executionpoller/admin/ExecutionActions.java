package io.executionpoller.admin;

import io.executionpoller.api.ApiProblem;
import io.executionpoller.db.Sessions;
import io.executionpoller.execution.EventRows;
import io.executionpoller.execution.EventType;
import io.executionpoller.execution.ExecutionStatus;
import io.executionpoller.logging.ExecutionIds;
import io.executionpoller.logging.ExecutionLog;
import io.executionpoller.logging.LifecycleRecorder;
import io.executionpoller.replica.ReplicaIdentity;
import io.smallrye.mutiny.Uni;
import io.vertx.sqlclient.DatabaseException;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import org.hibernate.JDBCException;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * Two operator actions besides a cancel ({@link ExecutionCancel}): run a finished execution again,
 * or have an active one checked now. Each action is one guarded statement plus its audit events in
 * one Hibernate Reactive transaction, so it races safely with the poll loop on any replica. The
 * statements are native SQL (INSERT ... SELECT and UPDATE guarded by status), which an entity merge
 * could not express.
 */
@ApplicationScoped
public class ExecutionActions {

  private static final ExecutionLog LOG = ExecutionLog.of(ExecutionActions.class);

  /** What a retry accepts: a finished execution that did not succeed. */
  public static final Set<ExecutionStatus> RETRYABLE =
      Set.of(ExecutionStatus.FAILED, ExecutionStatus.TIMEOUT, ExecutionStatus.CANCELLED);

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

  private final LifecycleRecorder lifecycle;
  private final Clock clock;
  private final String replica;

  ExecutionActions(LifecycleRecorder lifecycle, Clock clock, ReplicaIdentity replica) {
    this.lifecycle = lifecycle;
    this.clock = clock;
    this.replica = replica.id();
  }

  /** Runs a FAILED, TIMEOUT or CANCELLED execution again as a new execution linked to it. */
  public Uni<ActionOutcome> retry(UUID id, String caller) {
    return ActionRow.load(id).chain(execution -> retryLoaded(id, execution, caller));
  }

  private Uni<ActionOutcome> retryLoaded(UUID id, ActionRow execution, String caller) {
    if (!RETRYABLE.contains(execution.status())) {
      throw ApiProblem.conflict(
          "execution is "
              + execution.status()
              + "; only FAILED, TIMEOUT or CANCELLED can be retried");
    }
    UUID retryId = UUID.randomUUID();
    Instant now = clock.instant();
    return Sessions.write(session -> insertRetry(session, id, retryId, caller, now))
        .onFailure(ExecutionActions::isRetriedElsewhere)
        // Looked up once the failed transaction has ended: someone retried it first.
        .recoverWithUni(() -> alreadyRetried(id))
        .map(ignored -> retried(id, execution, retryId, caller, now));
  }

  private static Uni<Void> alreadyRetried(UUID id) {
    return retriedBy(id)
        .chain(
            other ->
                Uni.createFrom()
                    .failure(ApiProblem.conflict("execution was already retried as " + other)));
  }

  /** The committed retry's lines and metrics, and the answer. */
  private ActionOutcome retried(
      UUID id, ActionRow execution, UUID retryId, String caller, Instant now) {
    LOG.info(execution.ids(), "EXEC_RETRIED", "retry=%s by=%s", retryId, caller);
    ExecutionIds original = execution.ids();
    lifecycle.registered(
        new ExecutionIds(retryId, null, original.workflow(), original.instance()),
        "retry of " + id + " by " + caller);
    return new ActionOutcome(
        id, "retry", execution.status(), false, now, retryId, "run again as " + retryId);
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
    return ActionRow.load(id)
        .chain(
            execution -> {
              Instant now = clock.instant();
              return Sessions.write(session -> makeDue(session, id, execution, caller, now))
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
      Mutiny.Session session, UUID id, ActionRow execution, String caller, Instant now) {
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

  private static Uni<UUID> retriedBy(UUID id) {
    return Sessions.read(
        session ->
            session
                .createSelectionQuery(RETRIED_BY, UUID.class)
                .setParameter("id", id)
                .getSingleResultOrNull());
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
}
