package io.executionpoller.housekeeping;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** The housekeeping SQL; every delete is batched so no statement holds locks for long. */
@ApplicationScoped
class HousekeepingStore {

  private static final String REAP_EXECUTION_LEASES =
      """
      UPDATE workflow_executions SET lease_owner = NULL, lease_expires_at = NULL
       WHERE lease_owner IS NOT NULL AND lease_expires_at < ?
      """;

  /**
   * A download whose owner died goes back to PENDING, due at once. Its attempt stays counted: a
   * result whose downloads keep killing their replicas runs out of attempts (results.ResultStore).
   */
  private static final String REAP_RESULT_LEASES =
      """
      UPDATE execution_results
         SET status = 'PENDING', lease_owner = NULL, lease_expires_at = NULL,
             next_attempt_at = ?, updated_at = ?
       WHERE status = 'DOWNLOADING' AND lease_expires_at < ?
      """;

  private static final String DELETE_OLD_EVENTS =
      """
      DELETE FROM execution_events WHERE id IN (
          SELECT v.id FROM execution_events v JOIN workflow_executions e ON e.id = v.execution_id
           WHERE v.occurred_at < ? AND e.status IN ('SUCCESS', 'FAILED', 'CANCELLED', 'TIMEOUT')
           LIMIT ?)
      """;

  private static final String DELETE_OLD_RESULTS =
      """
      DELETE FROM execution_results WHERE execution_id IN (
          SELECT execution_id FROM execution_results
           WHERE status = 'STORED' AND stored_at < ? LIMIT ?)
      """;

  /**
   * RUNNING past its runtime limit (the same rule as RuntimeLimit: the workflow's maximum, else
   * AMC's timeout plus the margin, else the default) and held by no live lease: TIMEOUT with its
   * transition recorded, like the loop would at its next check. Leased rows are the loop's. Returns
   * what the log line and the metrics need of each.
   */
  private static final String TIMEOUT_SWEEP =
      """
      WITH expired AS (
          SELECT e.id FROM workflow_executions e JOIN workflows w ON w.id = e.workflow_id
           WHERE e.status = 'RUNNING' AND e.started_at IS NOT NULL
             AND (e.lease_owner IS NULL OR e.lease_expires_at < ?)
             AND e.started_at + make_interval(secs => CASE
                   WHEN w.max_runtime_seconds > 0 THEN w.max_runtime_seconds
                   WHEN e.remote_timeout_seconds > 0 THEN e.remote_timeout_seconds + ?
                   ELSE ? END) < ?
           ORDER BY e.started_at
           LIMIT ?
             FOR UPDATE OF e SKIP LOCKED),
      timed_out AS (
          UPDATE workflow_executions e
             SET status = 'TIMEOUT', completed_at = ?, error_type = 'TIMEOUT_ERROR',
                 error_message = ?,
                 execution_duration = CAST(EXTRACT(EPOCH FROM ? - e.started_at) AS INTEGER),
                 lease_owner = NULL, lease_expires_at = NULL, version = e.version + 1,
                 updated_at = ?
            FROM expired WHERE e.id = expired.id
          RETURNING e.id, e.retry_count, e.amc_execution_id, e.workflow_id, e.amc_instance_id,
                    e.execution_duration),
      recorded AS (
          INSERT INTO execution_events
                 (execution_id, occurred_at, type, attempt, from_status, to_status,
                  amc_execution_id, message, replica)
          SELECT id, ?, 'TRANSITION', retry_count, 'RUNNING', 'TIMEOUT', amc_execution_id,
                 ?, ?
            FROM timed_out)
      SELECT t.id, t.amc_execution_id, t.workflow_id, i.instance_id, t.execution_duration
        FROM timed_out t JOIN amc_instances i ON i.id = t.amc_instance_id
      """;

  /** The status reason, error message and event message of a sweep's timeout. */
  static final String SWEEP_REASON = "runtime limit passed without a check (timeout sweep)";

  /** One execution the sweep timed out; {@code ranSeconds} from its start to now. */
  record TimedOut(
      UUID id, String amcExecutionId, UUID workflowId, String instanceId, int ranSeconds) {}

  private final AgroalDataSource dataSource;

  HousekeepingStore(AgroalDataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** Clears leases expired before {@code before}; returns executions and results released. */
  int[] reapLeases(Instant before, Instant now) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement executions = connection.prepareStatement(REAP_EXECUTION_LEASES);
        PreparedStatement results = connection.prepareStatement(REAP_RESULT_LEASES)) {
      executions.setTimestamp(1, Timestamp.from(before));
      results.setTimestamp(1, Timestamp.from(now));
      results.setTimestamp(2, Timestamp.from(now));
      results.setTimestamp(3, Timestamp.from(before));
      return new int[] {executions.executeUpdate(), results.executeUpdate()};
    }
  }

  /** Times out unchecked executions past their limit; returns them. */
  List<TimedOut> sweepTimeouts(
      Instant now, Duration remoteMargin, Duration defaultMax, int batch, String replica)
      throws SQLException {
    Timestamp at = Timestamp.from(now);
    try (Connection connection = dataSource.getConnection();
        PreparedStatement sweep = connection.prepareStatement(TIMEOUT_SWEEP)) {
      sweep.setTimestamp(1, at);
      sweep.setLong(2, remoteMargin.toSeconds());
      sweep.setLong(3, defaultMax.toSeconds());
      sweep.setTimestamp(4, at);
      sweep.setInt(5, batch);
      sweep.setTimestamp(6, at);
      sweep.setString(7, SWEEP_REASON);
      sweep.setTimestamp(8, at);
      sweep.setTimestamp(9, at);
      sweep.setTimestamp(10, at);
      sweep.setString(11, SWEEP_REASON);
      sweep.setString(12, replica);
      List<TimedOut> timedOut = new ArrayList<>();
      try (ResultSet rows = sweep.executeQuery()) {
        while (rows.next()) {
          timedOut.add(
              new TimedOut(
                  rows.getObject("id", UUID.class),
                  rows.getString("amc_execution_id"),
                  rows.getObject("workflow_id", UUID.class),
                  rows.getString("instance_id"),
                  rows.getInt("execution_duration")));
        }
      }
      return timedOut;
    }
  }

  /** Deletes events of finished executions older than {@code before}, batch by batch. */
  long deleteEventsBefore(Instant before, int batch) throws SQLException {
    return deleteInBatches(DELETE_OLD_EVENTS, before, batch);
  }

  /** Deletes stored results (with their files and segments) older than {@code before}. */
  long deleteResultsBefore(Instant before, int batch) throws SQLException {
    return deleteInBatches(DELETE_OLD_RESULTS, before, batch);
  }

  private long deleteInBatches(String sql, Instant before, int batch) throws SQLException {
    long deleted = 0;
    try (Connection connection = dataSource.getConnection();
        PreparedStatement delete = connection.prepareStatement(sql)) {
      delete.setTimestamp(1, Timestamp.from(before));
      delete.setInt(2, batch);
      // Bounded: stops at the first short batch, and after 1000 batches whatever is left.
      for (int round = 0; round < 1000; round++) {
        int n = delete.executeUpdate();
        deleted += n;
        if (n < batch) {
          break;
        }
      }
    }
    return deleted;
  }

  /** Idempotency keys past their lifetime (deleted in batches, oldest first). */
  private static final String DELETE_EXPIRED_IDEMPOTENCY_KEYS =
      """
      DELETE FROM execution_idempotency_keys WHERE idempotency_key IN (
          SELECT idempotency_key FROM execution_idempotency_keys
           WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)
      """;

  /** Deletes Idempotency-Keys expired at {@code now}; returns how many. */
  long deleteExpiredIdempotencyKeys(Instant now, int batch) throws SQLException {
    return deleteInBatches(DELETE_EXPIRED_IDEMPOTENCY_KEYS, now, batch);
  }
}
