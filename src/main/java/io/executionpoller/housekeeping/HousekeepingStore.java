package io.executionpoller.housekeeping;

import io.agroal.api.AgroalDataSource;
import io.executionpoller.db.StoredText;
import io.executionpoller.execution.EventRows;
import io.executionpoller.execution.EventType;
import io.executionpoller.execution.ExecutionStatus;
import io.executionpoller.failure.ErrorType;
import io.executionpoller.remote.RemoteTarget;
import io.executionpoller.results.ResultStatus;
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

/**
 * The housekeeping SQL; every delete is batched so no statement holds locks for long. Lease expiry
 * is compared on the database clock ({@code now()}), where the leases were set: a replica whose
 * clock runs ahead must not take a lease for expired while its holder still works.
 */
@ApplicationScoped
class HousekeepingStore {

  private static final String REAP_EXECUTION_LEASES =
      """
      UPDATE workflow_executions SET lease_owner = NULL, lease_expires_at = NULL
       WHERE lease_owner IS NOT NULL AND lease_expires_at < now() - make_interval(secs => ?)
      """;

  /**
   * A download whose owner died goes back to PENDING, due at once. Its attempt stays counted: a
   * result whose downloads keep killing their replicas runs out of attempts (results.ResultStore).
   */
  private static final String REAP_RESULT_LEASES =
      """
      UPDATE execution_results
         SET status = ?, lease_owner = NULL, lease_expires_at = NULL,
             next_attempt_at = ?, updated_at = ?
       WHERE status = ? AND lease_expires_at < now() - make_interval(secs => ?)
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
   * RUNNING past its runtime limit by the lease grace, and held by no lease (none, or one expired
   * by the grace on the database clock, like the reaper's): TIMEOUT with its transition recorded,
   * as the loop would at its next check. The limit is RuntimeLimit's rule (the workflow's maximum,
   * else AMC's timeout plus the margin, else the default), written again here in SQL; a table test
   * (HousekeepingTest) feeds the same rows to both. The grace after the limit is the loop's turn: a
   * loop that reaches the row checks it every interval and ends it itself (TIMEOUT, or SUCCESS when
   * AMC finished in time), so what is still RUNNING after the grace is what no check reaches
   * (checks deferred past it, failing, or no replica polling). The write is guarded again by
   * status, version and lease, so it never lands on a row a check holds. Returns what the log line
   * and the metrics need of each.
   */
  private static final String TIMEOUT_SWEEP =
      """
      WITH expired AS (
          SELECT e.id, e.version FROM workflow_executions e JOIN workflows w ON w.id = e.workflow_id
           WHERE e.status = ? AND e.started_at IS NOT NULL
             AND (e.lease_owner IS NULL OR e.lease_expires_at < now() - make_interval(secs => ?))
             AND e.started_at + make_interval(secs => CASE
                   WHEN w.max_runtime_seconds > 0 THEN w.max_runtime_seconds
                   WHEN e.remote_timeout_seconds > 0 THEN e.remote_timeout_seconds + ?
                   ELSE ? END) + make_interval(secs => ?) <= ?
           ORDER BY e.started_at
           LIMIT ?
             FOR UPDATE OF e SKIP LOCKED),
      timed_out AS (
          UPDATE workflow_executions e
             SET status = ?, completed_at = ?, error_type = ?, error_message = ?,
                 execution_duration = CAST(EXTRACT(EPOCH FROM ? - e.started_at) AS INTEGER),
                 lease_owner = NULL, lease_expires_at = NULL, version = e.version + 1,
                 updated_at = ?
            FROM expired
           WHERE e.id = expired.id AND e.version = expired.version AND e.status = ?
             AND (e.lease_owner IS NULL OR e.lease_expires_at < now() - make_interval(secs => ?))
          RETURNING e.id, e.retry_count, e.amc_execution_id, e.workflow_id, e.amc_instance_id,
                    e.execution_duration),
      recorded AS (%s)
      SELECT t.id, t.amc_execution_id, t.workflow_id, i.instance_id, t.execution_duration
        FROM timed_out t JOIN amc_instances i ON i.id = t.amc_instance_id
      """
          .formatted(EventRows.insertSelectedFrom("timed_out"));

  /** The status reason, error message and event message of a sweep's timeout. */
  static final String SWEEP_REASON = "runtime limit passed without a check (timeout sweep)";

  /** One execution the sweep timed out; {@code ranSeconds} from its start to now. */
  private static final String DUE_ORPHANS =
      """
      SELECT o.amc_instance_id, o.amc_execution_id, o.execution_id, o.attempts, i.instance_id,
             i.api_base_url, a.account_id, a.marketplace_id
        FROM remote_orphans o
        JOIN amc_instances i ON i.id = o.amc_instance_id
        JOIN amc_accounts a ON a.id = i.amc_account_id
       WHERE o.settled_at IS NULL AND o.next_attempt_at <= ?
       ORDER BY o.next_attempt_at
       LIMIT ?
      """;

  private static final String SETTLE_ORPHAN =
      """
      UPDATE remote_orphans SET settled_at = ?, attempts = attempts + 1
       WHERE amc_instance_id = ? AND amc_execution_id = ? AND settled_at IS NULL
      """;

  private static final String ORPHAN_TRY_FAILED =
      """
      UPDATE remote_orphans SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?
       WHERE amc_instance_id = ? AND amc_execution_id = ? AND settled_at IS NULL
      """;

  /** A run nobody tracks that still has to be cancelled at AMC (see V13). */
  record Orphan(
      long instanceRow, String remoteId, UUID executionId, int attempts, RemoteTarget target) {}

  /** Up to {@code limit} orphaned runs whose next cancel is due at {@code now}. */
  List<Orphan> dueOrphans(Instant now, int limit) throws SQLException {
    List<Orphan> due = new ArrayList<>();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select = connection.prepareStatement(DUE_ORPHANS)) {
      select.setTimestamp(1, Timestamp.from(now));
      select.setInt(2, limit);
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          due.add(
              new Orphan(
                  rows.getLong("amc_instance_id"),
                  rows.getString("amc_execution_id"),
                  rows.getObject("execution_id", UUID.class),
                  rows.getInt("attempts"),
                  new RemoteTarget(
                      rows.getString("instance_id"),
                      rows.getString("account_id"),
                      rows.getString("marketplace_id"),
                      rows.getString("api_base_url"))));
        }
      }
    }
    return due;
  }

  /** The run was cancelled (or ended) at AMC: recorded with its event, once. */
  void settleOrphan(Orphan orphan, Instant now, String message, String replica)
      throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        int settled;
        try (PreparedStatement settle = connection.prepareStatement(SETTLE_ORPHAN)) {
          settle.setTimestamp(1, Timestamp.from(now));
          settle.setLong(2, orphan.instanceRow());
          settle.setString(3, orphan.remoteId());
          settled = settle.executeUpdate();
        }
        if (settled == 1) {
          EventRows.insert(
              connection,
              orphan.executionId(),
              now,
              EventType.REMOTE_ORPHAN_CANCELLED,
              message,
              replica);
        }
        connection.commit();
      } finally {
        if (!connection.getAutoCommit()) {
          connection.rollback();
          connection.setAutoCommit(true);
        }
      }
    }
  }

  /** This try failed: the next one is due at {@code next}. */
  void orphanTryFailed(Orphan orphan, Instant next, String error) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement failed = connection.prepareStatement(ORPHAN_TRY_FAILED)) {
      failed.setTimestamp(1, Timestamp.from(next));
      failed.setString(2, StoredText.of(error));
      failed.setLong(3, orphan.instanceRow());
      failed.setString(4, orphan.remoteId());
      failed.executeUpdate();
    }
  }

  record TimedOut(
      UUID id, String amcExecutionId, UUID workflowId, String instanceId, int ranSeconds) {}

  private final AgroalDataSource dataSource;

  HousekeepingStore(AgroalDataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * Clears leases expired more than {@code grace} ago (database clock); a download comes back due
   * at {@code now}. Returns executions and results released.
   */
  int[] reapLeases(Duration grace, Instant now) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement executions = connection.prepareStatement(REAP_EXECUTION_LEASES);
        PreparedStatement results = connection.prepareStatement(REAP_RESULT_LEASES)) {
      executions.setDouble(1, seconds(grace));
      results.setString(1, ResultStatus.PENDING.name());
      results.setTimestamp(2, Timestamp.from(now));
      results.setTimestamp(3, Timestamp.from(now));
      results.setString(4, ResultStatus.DOWNLOADING.name());
      results.setDouble(5, seconds(grace));
      return new int[] {executions.executeUpdate(), results.executeUpdate()};
    }
  }

  /** Times out executions no check reaches, {@code grace} past their limit; returns them. */
  List<TimedOut> sweepTimeouts(
      Instant now,
      Duration remoteMargin,
      Duration defaultMax,
      Duration grace,
      int batch,
      String replica)
      throws SQLException {
    Timestamp at = Timestamp.from(now);
    String running = ExecutionStatus.RUNNING.name();
    String timeout = ExecutionStatus.TIMEOUT.name();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement sweep = connection.prepareStatement(TIMEOUT_SWEEP)) {
      int i = 0;
      // expired
      sweep.setString(++i, running);
      sweep.setDouble(++i, seconds(grace));
      sweep.setLong(++i, remoteMargin.toSeconds());
      sweep.setLong(++i, defaultMax.toSeconds());
      sweep.setDouble(++i, seconds(grace));
      sweep.setTimestamp(++i, at);
      sweep.setInt(++i, batch);
      // timed_out
      sweep.setString(++i, timeout);
      sweep.setTimestamp(++i, at);
      sweep.setString(++i, ErrorType.TIMEOUT_ERROR.name());
      sweep.setString(++i, SWEEP_REASON);
      sweep.setTimestamp(++i, at);
      sweep.setTimestamp(++i, at);
      sweep.setString(++i, running);
      sweep.setDouble(++i, seconds(grace));
      // recorded
      sweep.setTimestamp(++i, at);
      sweep.setString(++i, EventType.TRANSITION.name());
      sweep.setString(++i, running);
      sweep.setString(++i, timeout);
      sweep.setString(++i, SWEEP_REASON);
      sweep.setString(++i, replica);
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

  private static double seconds(Duration duration) {
    return duration.toMillis() / 1000.0;
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
