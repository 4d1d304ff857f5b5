package io.executionpoller.housekeeping;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;

/** The housekeeping SQL; every delete is batched so no statement holds locks for long. */
@ApplicationScoped
class HousekeepingStore {

  private static final String REAP_EXECUTION_LEASES =
      """
      UPDATE workflow_executions SET lease_owner = NULL, lease_expires_at = NULL
       WHERE lease_owner IS NOT NULL AND lease_expires_at < ?
      """;

  /** A download whose owner died goes back to PENDING, due at once, its attempt not counted. */
  private static final String REAP_RESULT_LEASES =
      """
      UPDATE execution_results
         SET status = 'PENDING', lease_owner = NULL, lease_expires_at = NULL,
             attempts = greatest(attempts - 1, 0), next_attempt_at = ?, updated_at = ?
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
}
