package io.executionpoller.admin;

import io.agroal.api.AgroalDataSource;
import io.executionpoller.api.ApiProblem;
import io.executionpoller.execution.EventType;
import io.executionpoller.execution.ExecutionStateMachine;
import io.executionpoller.execution.ExecutionStatus;
import io.executionpoller.failure.ErrorClassifier;
import io.executionpoller.poll.ReplicaIdentity;
import io.executionpoller.remote.AmcClient;
import io.executionpoller.remote.RemoteFailures;
import io.executionpoller.remote.RemoteTarget;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * What an operator may do to one execution: cancel it (remotely first), run a finished one again,
 * or have it checked now. Each action is one guarded statement plus its audit events in one
 * transaction, so it races safely with the poll loop on any replica: whichever writes first wins
 * and the other finds the row changed.
 */
@ApplicationScoped
public class ExecutionActions {

  private static final Logger LOG = Logger.getLogger(ExecutionActions.class);

  /** An upper bound over the client's own per-request timeouts and in-call repeats. */
  private static final Duration REMOTE_CANCEL_DEADLINE = Duration.ofSeconds(60);

  private static final Set<ExecutionStatus> RETRYABLE =
      Set.of(ExecutionStatus.FAILED, ExecutionStatus.TIMEOUT, ExecutionStatus.CANCELLED);

  private static final String LOAD =
      """
      SELECT e.status, e.amc_execution_id, e.submit_attempted_at, e.retry_count,
             i.instance_id, a.account_id, a.marketplace_id, i.api_base_url
        FROM workflow_executions e
        JOIN amc_instances i ON i.id = e.amc_instance_id
        JOIN amc_accounts a ON a.id = i.amc_account_id
       WHERE e.id = ?
      """;

  // The version moves on, so a check in flight on any replica cannot write over the cancel.
  private static final String CANCEL =
      """
      UPDATE workflow_executions
         SET status = 'CANCELLED', status_reason = ?, completed_at = ?, lease_owner = NULL,
             lease_expires_at = NULL, version = version + 1, updated_at = ?
       WHERE id = ? AND status = ?
      """;

  private static final String POLL_NOW =
      """
      UPDATE workflow_executions SET next_poll_at = ?, updated_at = ?
       WHERE id = ? AND status IN ('PENDING', 'RUNNING')
      """;

  private static final String RETRY =
      """
      INSERT INTO workflow_executions
             (id, workflow_id, status, created_at, updated_at, next_poll_at, parameters,
              time_window, retry_of)
      SELECT ?, workflow_id, 'PENDING', ?, ?, ?, parameters, time_window, id
        FROM workflow_executions
       WHERE id = ? AND status IN ('FAILED', 'TIMEOUT', 'CANCELLED')
      """;

  private static final String RETRIED_BY = "SELECT id FROM workflow_executions WHERE retry_of = ?";

  private static final String EVENT =
      """
      INSERT INTO execution_events
             (execution_id, occurred_at, type, attempt, from_status, to_status, amc_execution_id,
              message, replica)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
      """;

  private record Loaded(
      ExecutionStatus status,
      String remoteId,
      boolean submitInFlight,
      int attempt,
      RemoteTarget target) {}

  private final AgroalDataSource dataSource;
  private final AmcClient amc;
  private final Clock clock;
  private final String replica;

  ExecutionActions(
      AgroalDataSource dataSource, AmcClient amc, Clock clock, ReplicaIdentity replica) {
    this.dataSource = dataSource;
    this.amc = amc;
    this.clock = clock;
    this.replica = replica.id();
  }

  /**
   * Cancels at AMC (when it was submitted), then locally. A refused remote cancel changes nothing
   * here: the execution stays tracked and the answer says why.
   */
  public ActionOutcome cancel(UUID id, String caller) throws SQLException {
    Loaded execution = load(id);
    if (!ExecutionStateMachine.isAllowed(execution.status(), ExecutionStatus.CANCELLED)) {
      throw ApiProblem.conflict(
          "execution is " + execution.status() + "; only PENDING or RUNNING can be cancelled");
    }
    if (execution.remoteId() == null && execution.submitInFlight()) {
      // Cancelling now could orphan a remote execution whose create answer is still on its way.
      throw ApiProblem.conflict(
          "its submission to AMC is in flight; cancel again once it has a remote id");
    }
    boolean remote = execution.remoteId() != null;
    if (remote) {
      cancelRemotely(id, execution, caller);
    }
    Instant now = clock.instant();
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        int changed;
        try (PreparedStatement update = connection.prepareStatement(CANCEL)) {
          update.setString(1, "cancelled by " + caller);
          update.setTimestamp(2, Timestamp.from(now));
          update.setTimestamp(3, Timestamp.from(now));
          update.setObject(4, id);
          update.setString(5, execution.status().name());
          changed = update.executeUpdate();
        }
        if (changed == 0) {
          connection.rollback();
          ExecutionStatus current = load(id).status();
          if (current == ExecutionStatus.CANCELLED) {
            // A check saw the remote cancel first and recorded the transition: the same outcome.
            return new ActionOutcome(
                id, "cancel", current, remote, null, null, "cancelled (recorded by the poll loop)");
          }
          throw ApiProblem.conflict(
              "execution changed while it was being cancelled; it is now " + current);
        }
        if (remote) {
          event(
              connection,
              id,
              now,
              EventType.REMOTE_CANCELLED,
              execution,
              null,
              null,
              "remote execution cancelled by " + caller);
        }
        event(
            connection,
            id,
            now,
            EventType.TRANSITION,
            execution,
            execution.status(),
            ExecutionStatus.CANCELLED,
            "cancelled by " + caller);
        connection.commit();
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      }
    }
    LOG.infof(
        "EXEC_CANCELLED execution=%s remote=%s from=%s by=%s",
        id, execution.remoteId(), execution.status(), caller);
    return new ActionOutcome(
        id, "cancel", ExecutionStatus.CANCELLED, remote, null, null, "cancelled by " + caller);
  }

  private void cancelRemotely(UUID id, Loaded execution, String caller) throws SQLException {
    try {
      amc.cancelExecution(execution.target(), execution.remoteId())
          .await()
          .atMost(REMOTE_CANCEL_DEADLINE);
    } catch (RuntimeException failure) {
      String type = ErrorClassifier.classify(RemoteFailures.facts(failure)).name();
      String detail = "AMC did not cancel the execution (" + type + "): " + failure.getMessage();
      try (Connection connection = dataSource.getConnection()) {
        event(
            connection,
            id,
            clock.instant(),
            EventType.REMOTE_CANCEL_FAILED,
            execution,
            null,
            null,
            detail + "; requested by " + caller);
      }
      LOG.warnf("EXEC_CANCEL_FAILED execution=%s remote=%s %s", id, execution.remoteId(), detail);
      throw new ApiProblem(502, detail + "; nothing was changed");
    }
  }

  /** Runs a FAILED, TIMEOUT or CANCELLED execution again as a new execution linked to it. */
  public ActionOutcome retry(UUID id, String caller) throws SQLException {
    Loaded execution = load(id);
    if (!RETRYABLE.contains(execution.status())) {
      throw ApiProblem.conflict(
          "execution is "
              + execution.status()
              + "; only FAILED, TIMEOUT or CANCELLED can be retried");
    }
    UUID retryId = UUID.randomUUID();
    Instant now = clock.instant();
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        int inserted;
        try (PreparedStatement insert = connection.prepareStatement(RETRY)) {
          insert.setObject(1, retryId);
          insert.setTimestamp(2, Timestamp.from(now));
          insert.setTimestamp(3, Timestamp.from(now));
          insert.setTimestamp(4, Timestamp.from(now));
          insert.setObject(5, id);
          inserted = insert.executeUpdate();
        }
        if (inserted == 0) {
          throw ApiProblem.conflict("execution is no longer FAILED, TIMEOUT or CANCELLED");
        }
        event(
            connection,
            id,
            now,
            EventType.RETRIED,
            execution,
            null,
            null,
            "run again as execution " + retryId + " by " + caller);
        Loaded fresh = new Loaded(ExecutionStatus.PENDING, null, false, 0, execution.target());
        event(
            connection,
            retryId,
            now,
            EventType.REGISTERED,
            fresh,
            null,
            ExecutionStatus.PENDING,
            "retry of execution " + id + " by " + caller);
        connection.commit();
      } catch (SQLException e) {
        connection.rollback();
        if ("23505".equals(e.getSQLState())) {
          // The unique index on retry_of: someone retried it first.
          throw ApiProblem.conflict("execution was already retried as " + retriedBy(id));
        }
        throw e;
      } catch (RuntimeException e) {
        connection.rollback();
        throw e;
      }
    }
    LOG.infof("EXEC_RETRIED execution=%s retry=%s by=%s", id, retryId, caller);
    return new ActionOutcome(
        id, "retry", execution.status(), false, now, retryId, "run again as " + retryId);
  }

  /** Makes a PENDING or RUNNING execution due now; a check already in flight is that check. */
  public ActionOutcome pollNow(UUID id, String caller) throws SQLException {
    Loaded execution = load(id);
    Instant now = clock.instant();
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        int changed;
        try (PreparedStatement update = connection.prepareStatement(POLL_NOW)) {
          update.setTimestamp(1, Timestamp.from(now));
          update.setTimestamp(2, Timestamp.from(now));
          update.setObject(3, id);
          changed = update.executeUpdate();
        }
        if (changed == 0) {
          throw ApiProblem.conflict(
              "execution is " + execution.status() + "; only PENDING or RUNNING are checked");
        }
        event(
            connection,
            id,
            now,
            EventType.POLL_REQUESTED,
            execution,
            null,
            null,
            "check requested by " + caller);
        connection.commit();
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      }
    }
    return new ActionOutcome(
        id, "poll", execution.status(), false, now, null, "due now; the next cycle checks it");
  }

  private Loaded load(UUID id) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement query = connection.prepareStatement(LOAD)) {
      query.setObject(1, id);
      try (ResultSet row = query.executeQuery()) {
        if (!row.next()) {
          throw ApiProblem.notFound("execution " + id + " does not exist");
        }
        return new Loaded(
            ExecutionStatus.valueOf(row.getString("status")),
            row.getString("amc_execution_id"),
            row.getTimestamp("submit_attempted_at") != null,
            row.getInt("retry_count"),
            new RemoteTarget(
                row.getString("instance_id"),
                row.getString("account_id"),
                row.getString("marketplace_id"),
                row.getString("api_base_url")));
      }
    }
  }

  private UUID retriedBy(UUID id) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement query = connection.prepareStatement(RETRIED_BY)) {
      query.setObject(1, id);
      try (ResultSet row = query.executeQuery()) {
        return row.next() ? row.getObject(1, UUID.class) : null;
      }
    }
  }

  private void event(
      Connection connection,
      UUID id,
      Instant now,
      EventType type,
      Loaded execution,
      ExecutionStatus from,
      ExecutionStatus to,
      String message)
      throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement(EVENT)) {
      insert.setObject(1, id);
      insert.setTimestamp(2, Timestamp.from(now));
      insert.setString(3, type.name());
      insert.setInt(4, execution.attempt());
      insert.setString(5, from == null ? null : from.name());
      insert.setString(6, to == null ? null : to.name());
      insert.setString(7, execution.remoteId());
      insert.setString(8, message);
      insert.setString(9, replica);
      insert.executeUpdate();
    }
  }
}
