package io.executionpoller.admin;

import io.agroal.api.AgroalDataSource;
import io.executionpoller.api.ApiProblem;
import io.executionpoller.db.StoredText;
import io.executionpoller.execution.EventRows;
import io.executionpoller.execution.EventType;
import io.executionpoller.execution.ExecutionStateMachine;
import io.executionpoller.execution.ExecutionStatus;
import io.executionpoller.failure.ErrorClassifier;
import io.executionpoller.logging.ExecutionIds;
import io.executionpoller.logging.ExecutionLog;
import io.executionpoller.logging.LifecycleRecorder;
import io.executionpoller.poll.CreateSettleWindow;
import io.executionpoller.poll.PollConfig;
import io.executionpoller.poll.UnansweredCreates;
import io.executionpoller.remote.AmcClient;
import io.executionpoller.remote.AmcConfig;
import io.executionpoller.remote.RemoteFailures;
import io.executionpoller.remote.RemoteTarget;
import io.executionpoller.replica.ReplicaIdentity;
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

/**
 * What an operator may do to one execution: cancel it (remotely first), run a finished one again,
 * or have it checked now. Each action is one guarded statement plus its audit events in one
 * transaction, so it races safely with the poll loop on any replica: whichever writes first wins
 * and the other finds the row changed. Lines and metrics go through the loop's {@link
 * LifecycleRecorder}, so an operator's transition looks like any other.
 */
@ApplicationScoped
public class ExecutionActions {

  private static final ExecutionLog LOG = ExecutionLog.of(ExecutionActions.class);

  /** An upper bound over the client's own per-request timeouts and in-call repeats. */
  private static final Duration REMOTE_CANCEL_DEADLINE = Duration.ofSeconds(60);

  private static final Set<ExecutionStatus> RETRYABLE =
      Set.of(ExecutionStatus.FAILED, ExecutionStatus.TIMEOUT, ExecutionStatus.CANCELLED);

  private static final String LOAD =
      """
      SELECT e.status, e.version, e.amc_execution_id, e.submit_attempted_at, e.workflow_id,
             e.started_at, i.instance_id, a.account_id, a.marketplace_id, i.api_base_url
        FROM workflow_executions e
        JOIN amc_instances i ON i.id = e.amc_instance_id
        JOIN amc_accounts a ON a.id = i.amc_account_id
       WHERE e.id = ?
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

  @FunctionalInterface
  private interface InTransaction<T> {
    T run(Connection connection) throws SQLException;
  }

  private final AgroalDataSource dataSource;
  private final AmcClient amc;
  private final UnansweredCreates unanswered;
  private final LifecycleRecorder lifecycle;
  private final Clock clock;
  private final String replica;
  private final Duration settleWindow;

  ExecutionActions(
      AgroalDataSource dataSource,
      AmcClient amc,
      UnansweredCreates unanswered,
      LifecycleRecorder lifecycle,
      Clock clock,
      ReplicaIdentity replica,
      AmcConfig amcConfig,
      PollConfig poll) {
    this.dataSource = dataSource;
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
  public ActionOutcome cancel(UUID id, String caller) throws SQLException {
    String cancelledRemote = null;
    Instant searchedFor = null;
    for (int round = 1; ; round++) {
      Loaded execution = load(id);
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
        if (!attempted.equals(searchedFor)) {
          searchedFor = attempted;
          if (adoptBeforeCancel(id, execution) != null) {
            continue;
          }
        }
      }
      boolean remote = execution.remoteId() != null;
      if (remote && !execution.remoteId().equals(cancelledRemote)) {
        cancelRemotely(id, execution, caller);
        cancelledRemote = execution.remoteId();
      }
      ActionOutcome outcome = cancelLocally(id, execution, remote, caller);
      if (outcome != null) {
        return outcome;
      }
      ExecutionStatus current = load(id).status();
      if (current == ExecutionStatus.CANCELLED) {
        // A check saw the remote cancel first and recorded the transition: the same outcome.
        return new ActionOutcome(
            id, "cancel", current, remote, null, null, "cancelled (recorded by the poll loop)");
      }
      if (round >= CANCEL_ROUNDS) {
        throw ApiProblem.conflict(
            "execution changed while it was being cancelled; it is now " + current);
      }
    }
  }

  /**
   * Looks at AMC for the run of a create that was never answered and adopts it; its remote id, or
   * null when there was none (or the row changed meanwhile).
   */
  private String adoptBeforeCancel(UUID id, Loaded execution) {
    try {
      return unanswered
          .adoptBeforeCancel(id, execution.version(), replica, clock.instant())
          .await()
          .atMost(REMOTE_CANCEL_DEADLINE);
    } catch (RuntimeException failure) {
      String type = ErrorClassifier.classify(RemoteFailures.facts(failure)).name();
      throw new ApiProblem(
          502,
          "AMC could not be searched for the run of the unanswered create ("
              + type
              + "): "
              + failure.getMessage()
              + "; nothing was changed");
    }
  }

  /** The guarded local cancel and its events; null when the row changed since it was read. */
  private ActionOutcome cancelLocally(UUID id, Loaded execution, boolean remote, String caller)
      throws SQLException {
    Instant now = clock.instant();
    String reason = "cancelled by " + caller;
    Integer ranSeconds =
        inTransaction(
            connection -> {
              Integer ran = markCancelled(connection, id, execution, reason, now);
              if (ran == null) {
                return null;
              }
              if (remote) {
                EventRows.insert(
                    connection,
                    id,
                    now,
                    EventType.REMOTE_CANCELLED,
                    "remote execution cancelled by " + caller,
                    replica);
              }
              EventRows.insert(
                  connection,
                  id,
                  now,
                  EventType.TRANSITION,
                  execution.status(),
                  ExecutionStatus.CANCELLED,
                  reason,
                  replica);
              return ran;
            });
    if (ranSeconds == null) {
      return null;
    }
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

  /**
   * The guarded update; null when the row is no longer as it was read, -1 for an execution that
   * never started (no run time), else its run time in seconds.
   */
  private static Integer markCancelled(
      Connection connection, UUID id, Loaded read, String reason, Instant now) throws SQLException {
    try (PreparedStatement update = connection.prepareStatement(CANCEL)) {
      update.setString(1, ExecutionStatus.CANCELLED.name());
      update.setString(2, StoredText.of(reason));
      update.setTimestamp(3, Timestamp.from(now));
      update.setTimestamp(4, Timestamp.from(now));
      update.setTimestamp(5, Timestamp.from(now));
      update.setObject(6, id);
      update.setString(7, read.status().name());
      update.setLong(8, read.version());
      try (ResultSet row = update.executeQuery()) {
        if (!row.next()) {
          return null;
        }
        int ran = row.getInt(1);
        return row.wasNull() ? -1 : ran;
      }
    }
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
        EventRows.insert(
            connection,
            id,
            clock.instant(),
            EventType.REMOTE_CANCEL_FAILED,
            detail + "; requested by " + caller,
            replica);
      }
      lifecycle.remoteCancel(execution.ids(), EventType.REMOTE_CANCEL_FAILED, detail);
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
    try {
      inTransaction(
          connection -> {
            try (PreparedStatement insert = connection.prepareStatement(RETRY)) {
              insert.setObject(1, retryId);
              insert.setTimestamp(2, Timestamp.from(now));
              insert.setTimestamp(3, Timestamp.from(now));
              insert.setTimestamp(4, Timestamp.from(now));
              insert.setObject(5, id);
              if (insert.executeUpdate() == 0) {
                throw ApiProblem.conflict("execution is no longer FAILED, TIMEOUT or CANCELLED");
              }
            }
            EventRows.insert(
                connection,
                id,
                now,
                EventType.RETRIED,
                "run again as execution " + retryId + " by " + caller,
                replica);
            EventRows.insert(
                connection,
                retryId,
                now,
                EventType.REGISTERED,
                null,
                ExecutionStatus.PENDING,
                "retry of execution " + id + " by " + caller,
                replica);
            return null;
          });
    } catch (SQLException e) {
      if ("23505".equals(e.getSQLState())) {
        // The unique index on retry_of: someone retried it first.
        throw ApiProblem.conflict("execution was already retried as " + retriedBy(id));
      }
      throw e;
    }
    LOG.info(execution.ids(), "EXEC_RETRIED", "retry=%s by=%s", retryId, caller);
    ExecutionIds original = execution.ids();
    lifecycle.registered(
        new ExecutionIds(retryId, null, original.workflow(), original.instance()),
        "retry of " + id + " by " + caller);
    return new ActionOutcome(
        id, "retry", execution.status(), false, now, retryId, "run again as " + retryId);
  }

  /** Makes a PENDING or RUNNING execution due now; a check already in flight is that check. */
  public ActionOutcome pollNow(UUID id, String caller) throws SQLException {
    Loaded execution = load(id);
    Instant now = clock.instant();
    inTransaction(
        connection -> {
          try (PreparedStatement update = connection.prepareStatement(POLL_NOW)) {
            update.setTimestamp(1, Timestamp.from(now));
            update.setTimestamp(2, Timestamp.from(now));
            update.setObject(3, id);
            if (update.executeUpdate() == 0) {
              throw ApiProblem.conflict(
                  "execution is " + execution.status() + "; only PENDING or RUNNING are checked");
            }
          }
          EventRows.insert(
              connection,
              id,
              now,
              EventType.POLL_REQUESTED,
              "check requested by " + caller,
              replica);
          return null;
        });
    return new ActionOutcome(
        id, "poll", execution.status(), false, now, null, "due now; the next cycle checks it");
  }

  /**
   * Runs {@code work} in one transaction: committed when it returns, rolled back when it throws.
   */
  private <T> T inTransaction(InTransaction<T> work) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        T result = work.run(connection);
        connection.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      }
    }
  }

  private Loaded load(UUID id) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement query = connection.prepareStatement(LOAD)) {
      query.setObject(1, id);
      try (ResultSet row = query.executeQuery()) {
        if (!row.next()) {
          throw ApiProblem.notFound("execution " + id + " does not exist");
        }
        String remoteId = row.getString("amc_execution_id");
        String instance = row.getString("instance_id");
        Timestamp attempted = row.getTimestamp("submit_attempted_at");
        return new Loaded(
            ExecutionStatus.valueOf(row.getString("status")),
            row.getLong("version"),
            remoteId,
            attempted == null ? null : attempted.toInstant(),
            new RemoteTarget(
                instance,
                row.getString("account_id"),
                row.getString("marketplace_id"),
                row.getString("api_base_url")),
            new ExecutionIds(id, remoteId, row.getObject("workflow_id", UUID.class), instance));
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
}
