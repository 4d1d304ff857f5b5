package io.executionpoller.execution;

import io.executionpoller.db.StoredText;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.UUID;

/**
 * Appends one audit event over JDBC, in the caller's transaction. The attempt and the remote id
 * come from the execution's row as it stands in that transaction, so callers cannot get them wrong.
 * (The poll loop writes its events in batches over the reactive client instead.)
 */
public final class EventRows {

  private static final String INSERT =
      """
      INSERT INTO execution_events
             (execution_id, occurred_at, type, attempt, from_status, to_status, amc_execution_id,
              message, replica)
      SELECT id, ?, ?, retry_count, ?, ?, amc_execution_id, ?, ?
        FROM workflow_executions WHERE id = ?
      """;

  private EventRows() {}

  /** An event without a status change. */
  public static void insert(
      Connection connection,
      UUID executionId,
      Instant at,
      EventType type,
      String message,
      String replica)
      throws SQLException {
    insert(connection, executionId, at, type, null, null, message, replica);
  }

  public static void insert(
      Connection connection,
      UUID executionId,
      Instant at,
      EventType type,
      ExecutionStatus from,
      ExecutionStatus to,
      String message,
      String replica)
      throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
      insert.setTimestamp(1, Timestamp.from(at));
      insert.setString(2, type.name());
      insert.setString(3, from == null ? null : from.name());
      insert.setString(4, to == null ? null : to.name());
      insert.setString(5, StoredText.of(message));
      insert.setString(6, replica);
      insert.setObject(7, executionId);
      insert.executeUpdate();
    }
  }
}
