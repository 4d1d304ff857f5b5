package io.executionpoller.api;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.UUID;

/**
 * A first registration with an Idempotency-Key that has claimed its key but not committed, written
 * as the API writes it (key row first, then the PENDING execution) on a test's own open
 * transaction: requests with the same key wait on it until the test commits or rolls back.
 */
final class HeldFirstUse {

  private HeldFirstUse() {}

  /**
   * Writes, on {@code holder}'s open transaction, the key {@code key} for a bare registration of
   * {@code workflow}, and the execution {@code first} it names.
   */
  static void write(Connection holder, String key, UUID workflow, UUID first) throws SQLException {
    try (PreparedStatement keyRow =
        holder.prepareStatement(
            "INSERT INTO execution_idempotency_keys"
                + " (idempotency_key, request_digest, execution_id, created_at, expires_at)"
                + " VALUES (?, ?, ?, now(), now() + interval '1 day')")) {
      keyRow.setString(1, key);
      keyRow.setString(
          2, IdempotencyKey.digest(new ExecutionRegistration(workflow, null, null, null, null)));
      keyRow.setObject(3, first);
      keyRow.executeUpdate();
    }
    try (PreparedStatement execution =
        holder.prepareStatement(
            "INSERT INTO workflow_executions (id, workflow_id, status, created_at, updated_at,"
                + " next_poll_at) VALUES (?, ?, 'PENDING', now(), now(), now())")) {
      execution.setObject(1, first);
      execution.setObject(2, workflow);
      execution.executeUpdate();
    }
  }
}
