package io.executionpoller.results;

import io.agroal.api.AgroalDataSource;
import io.executionpoller.crashpoint.CrashPoints;
import io.executionpoller.db.StoredText;
import io.executionpoller.execution.EventRows;
import io.executionpoller.execution.EventType;
import io.executionpoller.failure.ErrorType;
import io.executionpoller.remote.RemoteTarget;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The download step's SQL, on JDBC: downloads run on their own blocking threads and stream rows
 * through COPY, which the reactive client does not offer. Claims take a lease with SKIP LOCKED;
 * every later write is guarded by the lease owner and the attempt number, so a replica that lost
 * its claim changes nothing. Lease expiry is set and compared on the database clock ({@code
 * now()}), so replicas whose clocks differ never take each other's downloads early; due times stay
 * on the injected clock.
 */
@ApplicationScoped
class ResultStore {

  private static final String CLAIM =
      """
      WITH due AS (
          SELECT execution_id FROM execution_results
           WHERE status = ANY(?) AND next_attempt_at <= ?
             AND (lease_owner IS NULL OR lease_expires_at <= now())
             AND attempts - uncounted_attempts < ?
           ORDER BY next_attempt_at
           LIMIT ?
             FOR UPDATE SKIP LOCKED)
      UPDATE execution_results r
         SET status = ?, attempts = r.attempts + 1, lease_owner = ?,
             lease_expires_at = now() + make_interval(secs => ?), updated_at = ?
        FROM due, workflow_executions e, workflows w, amc_instances i, amc_accounts a
       WHERE r.execution_id = due.execution_id AND e.id = r.execution_id
         AND w.id = e.workflow_id AND i.id = w.amc_instance_id AND a.id = i.amc_account_id
      RETURNING r.execution_id, r.attempts, r.attempts - r.uncounted_attempts AS counted,
                e.amc_execution_id, e.workflow_id, e.traceparent, i.instance_id, i.api_base_url,
                a.account_id, a.marketplace_id
      """;

  /**
   * Due downloads whose counted attempts are used up although none failed for good: their last
   * claims ended without an outcome (the replica died mid-download or lost its lease, and the
   * reaper or the lease expiry handed them back). The claim that counted them is never undone, so
   * they are FAILED here instead of being claimed once more.
   */
  private static final String FAIL_EXHAUSTED =
      """
      WITH exhausted AS (
          SELECT execution_id FROM execution_results
           WHERE status = ANY(?) AND next_attempt_at <= ?
             AND (lease_owner IS NULL OR lease_expires_at <= now())
             AND attempts - uncounted_attempts >= ?
           LIMIT ?
             FOR UPDATE SKIP LOCKED)
      UPDATE execution_results r
         SET status = ?, lease_owner = NULL, lease_expires_at = NULL, last_error = ?,
             last_error_at = ?, error_type = ?, updated_at = ?
        FROM exhausted
       WHERE r.execution_id = exhausted.execution_id
      RETURNING r.execution_id, r.attempts
      """;

  private static final String RENEW =
      """
      UPDATE execution_results SET lease_expires_at = now() + make_interval(secs => ?)
       WHERE execution_id = ? AND status = ? AND lease_owner = ? AND attempts = ?
      """;

  private static final String END_ATTEMPT =
      """
      UPDATE execution_results
         SET status = ?, next_attempt_at = ?, uncounted_attempts = uncounted_attempts + ?,
             last_error = ?,
             last_error_at = COALESCE(?, last_error_at), error_type = COALESCE(?, error_type),
             lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
       WHERE execution_id = ? AND status = ? AND lease_owner = ? AND attempts = ?
      """;

  private static final String COUNT_UNSTORED =
      "SELECT status, count(*) FROM execution_results WHERE status <> ? GROUP BY status";

  /**
   * The claim's partial index (V5) covers these statuses; bound as a parameter, the planner's
   * custom plans still use it (a generic plan would not, and costs more on any table big enough to
   * matter, so PostgreSQL keeps the custom one).
   */
  private static final String[] WAITING = ResultStatus.names(ResultStatus.WAITING);

  private final AgroalDataSource dataSource;
  private final CrashPoints crashPoints;

  ResultStore(AgroalDataSource dataSource, CrashPoints crashPoints) {
    this.dataSource = dataSource;
    this.crashPoints = crashPoints;
  }

  /**
   * Claims up to {@code limit} due downloads for {@code owner}, counting a new attempt each, and in
   * the same transaction fails the due ones whose {@code maxAttempts} counted attempts are used up
   * (their last claims never reported back).
   */
  Claimed claim(String owner, Instant now, Duration lease, int limit, int maxAttempts)
      throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        List<Exhausted> exhausted = failExhausted(connection, owner, now, limit, maxAttempts);
        List<ResultClaim> claims = new ArrayList<>();
        try (PreparedStatement claim = connection.prepareStatement(CLAIM)) {
          claim.setArray(1, connection.createArrayOf("text", WAITING));
          claim.setTimestamp(2, Timestamp.from(now));
          claim.setInt(3, maxAttempts);
          claim.setInt(4, limit);
          claim.setString(5, ResultStatus.DOWNLOADING.name());
          claim.setString(6, owner);
          claim.setDouble(7, lease.toMillis() / 1000.0);
          claim.setTimestamp(8, Timestamp.from(now));
          try (ResultSet rows = claim.executeQuery()) {
            while (rows.next()) {
              claims.add(
                  new ResultClaim(
                      rows.getObject("execution_id", UUID.class),
                      rows.getInt("attempts"),
                      rows.getInt("counted"),
                      rows.getString("amc_execution_id"),
                      rows.getObject("workflow_id", UUID.class),
                      new RemoteTarget(
                          rows.getString("instance_id"),
                          rows.getString("account_id"),
                          rows.getString("marketplace_id"),
                          rows.getString("api_base_url")),
                      rows.getString("traceparent")));
            }
          }
        }
        connection.commit();
        return new Claimed(claims, exhausted);
      } finally {
        if (!connection.getAutoCommit()) {
          connection.rollback();
          connection.setAutoCommit(true);
        }
      }
    }
  }

  private static List<Exhausted> failExhausted(
      Connection connection, String owner, Instant now, int limit, int maxAttempts)
      throws SQLException {
    String error =
        ResultRetryPolicy.describe(
            ErrorType.UNKNOWN_ERROR,
            "the attempt ended without an outcome: its replica stopped or lost its lease"
                + " mid-download (poller.results.max-attempts="
                + maxAttempts
                + ")",
            maxAttempts,
            true);
    List<Exhausted> exhausted = new ArrayList<>();
    try (PreparedStatement fail = connection.prepareStatement(FAIL_EXHAUSTED)) {
      fail.setArray(1, connection.createArrayOf("text", WAITING));
      fail.setTimestamp(2, Timestamp.from(now));
      fail.setInt(3, maxAttempts);
      fail.setInt(4, limit);
      fail.setString(5, ResultStatus.FAILED.name());
      fail.setString(6, error);
      fail.setTimestamp(7, Timestamp.from(now));
      fail.setString(8, ErrorType.UNKNOWN_ERROR.name());
      fail.setTimestamp(9, Timestamp.from(now));
      try (ResultSet rows = fail.executeQuery()) {
        while (rows.next()) {
          exhausted.add(
              new Exhausted(rows.getObject("execution_id", UUID.class), rows.getInt("attempts")));
        }
      }
    }
    for (Exhausted result : exhausted) {
      EventRows.insert(
          connection, result.executionId(), now, EventType.RESULT_FAILED, error, owner);
    }
    return exhausted;
  }

  /**
   * Extends the lease of a running download to {@code lease} from the database's now; false when
   * the claim is no longer ours.
   */
  boolean renew(ResultClaim claim, String owner, Duration lease) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement renew = connection.prepareStatement(RENEW)) {
      renew.setDouble(1, lease.toMillis() / 1000.0);
      renew.setObject(2, claim.executionId());
      renew.setString(3, ResultStatus.DOWNLOADING.name());
      renew.setString(4, owner);
      renew.setInt(5, claim.attempt());
      return renew.executeUpdate() == 1;
    }
  }

  /**
   * Ends an attempt that did not store the result: back to PENDING until {@code nextAttemptAt}, or
   * FAILED for good; an event records it. A deferred or interrupted attempt is not counted.
   */
  boolean endAttempt(ResultClaim claim, String owner, Instant now, AttemptEnd end)
      throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try (PreparedStatement update = connection.prepareStatement(END_ATTEMPT)) {
        update.setString(1, (end.failed() ? ResultStatus.FAILED : ResultStatus.PENDING).name());
        update.setTimestamp(2, Timestamp.from(end.nextAttemptAt()));
        update.setInt(3, end.counted() ? 0 : 1);
        update.setString(4, StoredText.of(end.error()));
        update.setTimestamp(5, end.error() == null ? null : Timestamp.from(now));
        update.setString(6, end.errorType() == null ? null : end.errorType().name());
        update.setTimestamp(7, Timestamp.from(now));
        update.setObject(8, claim.executionId());
        update.setString(9, ResultStatus.DOWNLOADING.name());
        update.setString(10, owner);
        update.setInt(11, claim.attempt());
        if (update.executeUpdate() != 1) {
          connection.rollback();
          return false;
        }
      }
      if (end.event() != null) {
        EventRows.insert(connection, claim.executionId(), now, end.event(), end.error(), owner);
      }
      connection.commit();
      return true;
    }
  }

  /** Opens the writer that stores one attempt's result, on a connection of its own. */
  ResultWriter openWriter(ResultClaim claim, String owner) throws SQLException {
    Connection connection = dataSource.getConnection();
    try {
      return new ResultWriter(connection, claim, owner, crashPoints);
    } catch (SQLException | RuntimeException e) {
      connection.close();
      throw e;
    }
  }

  /**
   * Deletes what attempts up to {@code attempt} staged of a result that is not STORED, in short
   * batches; nothing once a later attempt has claimed it. Returns the segments deleted.
   */
  long discardStaged(UUID executionId, int attempt) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      return ResultWriter.deleteStaged(connection, executionId, attempt, 0, Integer.MAX_VALUE);
    }
  }

  /** Results not (yet) stored, by status (statuses with none are absent). */
  Map<ResultStatus, Long> countUnstored() throws SQLException {
    Map<ResultStatus, Long> counts = new EnumMap<>(ResultStatus.class);
    try (Connection connection = dataSource.getConnection();
        PreparedStatement count = connection.prepareStatement(COUNT_UNSTORED)) {
      count.setString(1, ResultStatus.STORED.name());
      try (ResultSet rows = count.executeQuery()) {
        while (rows.next()) {
          counts.put(ResultStatus.valueOf(rows.getString(1)), rows.getLong(2));
        }
      }
    }
    return counts;
  }

  /** What one claim did: downloads claimed, and due ones failed for their used-up attempts. */
  record Claimed(List<ResultClaim> claims, List<Exhausted> exhausted) {}

  /** A result failed by the claim; {@code attempts} is its last claim's number. */
  record Exhausted(UUID executionId, int attempts) {}

  /** How an attempt ends when it stored nothing. */
  record AttemptEnd(
      boolean failed,
      Instant nextAttemptAt,
      boolean counted,
      String error,
      ErrorType errorType,
      EventType event) {}
}
