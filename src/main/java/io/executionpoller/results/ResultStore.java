package io.executionpoller.results;

import io.agroal.api.AgroalDataSource;
import io.executionpoller.crashpoint.CrashPoints;
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
           WHERE status IN ('PENDING', 'DOWNLOADING') AND next_attempt_at <= ?
             AND (lease_owner IS NULL OR lease_expires_at <= now())
           ORDER BY next_attempt_at
           LIMIT ?
             FOR UPDATE SKIP LOCKED)
      UPDATE execution_results r
         SET status = 'DOWNLOADING', attempts = r.attempts + 1, lease_owner = ?,
             lease_expires_at = now() + make_interval(secs => ?), updated_at = ?
        FROM due, workflow_executions e, workflows w, amc_instances i, amc_accounts a
       WHERE r.execution_id = due.execution_id AND e.id = r.execution_id
         AND w.id = e.workflow_id AND i.id = w.amc_instance_id AND a.id = i.amc_account_id
      RETURNING r.execution_id, r.attempts, e.amc_execution_id, e.workflow_id, i.instance_id,
                i.api_base_url, a.account_id, a.marketplace_id
      """;

  private static final String RENEW =
      """
      UPDATE execution_results SET lease_expires_at = now() + make_interval(secs => ?)
       WHERE execution_id = ? AND status = 'DOWNLOADING' AND lease_owner = ? AND attempts = ?
      """;

  private static final String END_ATTEMPT =
      """
      UPDATE execution_results
         SET status = ?, next_attempt_at = ?, attempts = attempts - ?, last_error = ?,
             last_error_at = COALESCE(?, last_error_at), error_type = COALESCE(?, error_type),
             lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
       WHERE execution_id = ? AND status = 'DOWNLOADING' AND lease_owner = ? AND attempts = ?
      """;

  private static final String COUNT_UNSTORED =
      "SELECT status, count(*) FROM execution_results WHERE status <> 'STORED' GROUP BY status";

  private final AgroalDataSource dataSource;
  private final CrashPoints crashPoints;

  ResultStore(AgroalDataSource dataSource, CrashPoints crashPoints) {
    this.dataSource = dataSource;
    this.crashPoints = crashPoints;
  }

  /**
   * Claims up to {@code limit} downloads due at {@code now} for {@code owner}, each for {@code
   * lease} from the database's now, counting a new attempt each.
   */
  List<ResultClaim> claim(String owner, Instant now, Duration lease, int limit)
      throws SQLException {
    List<ResultClaim> claims = new ArrayList<>();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement claim = connection.prepareStatement(CLAIM)) {
      claim.setTimestamp(1, Timestamp.from(now));
      claim.setInt(2, limit);
      claim.setString(3, owner);
      claim.setDouble(4, lease.toMillis() / 1000.0);
      claim.setTimestamp(5, Timestamp.from(now));
      try (ResultSet rows = claim.executeQuery()) {
        while (rows.next()) {
          claims.add(
              new ResultClaim(
                  rows.getObject("execution_id", UUID.class),
                  rows.getInt("attempts"),
                  rows.getString("amc_execution_id"),
                  rows.getObject("workflow_id", UUID.class),
                  new RemoteTarget(
                      rows.getString("instance_id"),
                      rows.getString("account_id"),
                      rows.getString("marketplace_id"),
                      rows.getString("api_base_url"))));
        }
      }
    }
    return claims;
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
      renew.setString(3, owner);
      renew.setInt(4, claim.attempt());
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
        update.setString(1, end.failed() ? "FAILED" : "PENDING");
        update.setTimestamp(2, Timestamp.from(end.nextAttemptAt()));
        update.setInt(3, end.counted() ? 0 : 1);
        update.setString(4, end.error());
        update.setTimestamp(5, end.error() == null ? null : Timestamp.from(now));
        update.setString(6, end.errorType() == null ? null : end.errorType().name());
        update.setTimestamp(7, Timestamp.from(now));
        update.setObject(8, claim.executionId());
        update.setString(9, owner);
        update.setInt(10, claim.attempt());
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

  /** Opens the transaction that stores one result. */
  ResultWriter openWriter(UUID executionId) throws SQLException {
    Connection connection = dataSource.getConnection();
    try {
      return new ResultWriter(connection, executionId, crashPoints);
    } catch (SQLException | RuntimeException e) {
      connection.close();
      throw e;
    }
  }

  /** Results not (yet) stored, by status (statuses with none are absent). */
  Map<ResultStatus, Long> countUnstored() throws SQLException {
    Map<ResultStatus, Long> counts = new EnumMap<>(ResultStatus.class);
    try (Connection connection = dataSource.getConnection();
        PreparedStatement count = connection.prepareStatement(COUNT_UNSTORED);
        ResultSet rows = count.executeQuery()) {
      while (rows.next()) {
        counts.put(ResultStatus.valueOf(rows.getString(1)), rows.getLong(2));
      }
    }
    return counts;
  }

  /** How an attempt ends when it stored nothing. */
  record AttemptEnd(
      boolean failed,
      Instant nextAttemptAt,
      boolean counted,
      String error,
      ErrorType errorType,
      EventType event) {}
}
