package io.executionpoller.housekeeping;

import io.agroal.api.AgroalDataSource;
import io.executionpoller.support.Fixtures;
import io.executionpoller.support.PostgresResource;
import io.executionpoller.support.TestClock;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What retention costs when it deletes a million events: the housekeeping step as it runs (batches
 * of poller.housekeeping.retention-batch), timed, with the WAL it writes, the table's size before
 * and after and the VACUUM that follows; beside it, what dropping a monthly partition of the same
 * rows would cost (a table of the same rows dropped). Run with {@code ./mvnw test -Pbenchmark
 * -Dtest=EventRetentionBenchmark -Dbench.events=1000000}. Prints and writes
 * target/benchmark-event-retention.txt; it reports, it does not assert.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
@Tag("benchmark")
class EventRetentionBenchmark {

  @Inject Housekeeping housekeeping;
  @Inject Fixtures fixtures;
  @Inject TestClock clock;
  @Inject AgroalDataSource dataSource;

  @Test
  void shouldMeasureDeletingAMillionEvents() throws Exception {
    int events = Integer.getInteger("bench.events", 1_000_000);
    int perExecution = 10;
    fixtures.reset();
    UUID workflow = fixtures.savedWorkflow("wf_retention");
    Instant old = clock.instant().minus(Duration.ofDays(120));
    StringBuilder out = new StringBuilder();
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(true);
      long seedStart = System.nanoTime();
      execute(connection, "SET session_replication_role = replica");
      try (PreparedStatement rows =
          connection.prepareStatement(
              "INSERT INTO workflow_executions (id, workflow_id, amc_instance_id, amc_execution_id,"
                  + " status, created_at, updated_at, completed_at, next_poll_at)"
                  + " SELECT lpad(to_hex(g), 32, '0')::uuid, w.id, w.amc_instance_id,"
                  + " 'old-' || g, 'SUCCESS', ?, ?, ?, ?"
                  + " FROM generate_series(1, ?) g, workflows w WHERE w.id = ?")) {
        Timestamp at = Timestamp.from(old);
        rows.setTimestamp(1, at);
        rows.setTimestamp(2, at);
        rows.setTimestamp(3, at);
        rows.setTimestamp(4, at);
        rows.setInt(5, events / perExecution);
        rows.setObject(6, workflow);
        rows.executeUpdate();
      }
      try (PreparedStatement rows =
          connection.prepareStatement(
              "INSERT INTO execution_events (execution_id, occurred_at, type, attempt, from_status,"
                  + " to_status, remote_status, amc_execution_id, message, replica)"
                  + " SELECT lpad(to_hex(1 + g / ?), 32, '0')::uuid, ?, 'TRANSITION', g, 'RUNNING',"
                  + " 'SUCCESS', 'SUCCEEDED', 'old-' || (1 + g / ?),"
                  + " 'remote status SUCCEEDED after a check', 'replica-a'"
                  + " FROM generate_series(0, ? - 1) g")) {
        rows.setInt(1, perExecution);
        rows.setTimestamp(2, Timestamp.from(old));
        rows.setInt(3, perExecution);
        rows.setInt(4, events);
        rows.executeUpdate();
      }
      execute(connection, "SET session_replication_role = DEFAULT");
      execute(connection, "VACUUM ANALYZE execution_events");
      out.append(
          String.format(
              "event retention benchmark: %d events of %d finished executions, seeded in %.1f s%n",
              events, events / perExecution, (System.nanoTime() - seedStart) / 1e9));
      long sizeBefore = size(connection);
      long walBefore = wal(connection);

      long start = System.nanoTime();
      long[] deleted = housekeeping.retainNow();
      double seconds = (System.nanoTime() - start) / 1e9;
      long walAfter = wal(connection);
      out.append(
          String.format(
              "retention step (batches of the default retention-batch): %d events deleted in %.1f"
                  + " s = %.0f events/s, %.0f WAL bytes an event, table %d MB before, %d MB after"
                  + " (space is reused, not returned)%n",
              deleted[0],
              seconds,
              deleted[0] / seconds,
              (double) (walAfter - walBefore) / Math.max(1, deleted[0]),
              sizeBefore / 1048576,
              size(connection) / 1048576));
      start = System.nanoTime();
      execute(connection, "VACUUM execution_events");
      out.append(
          String.format(
              "VACUUM after it: %.1f s, table %d MB%n",
              (System.nanoTime() - start) / 1e9, size(connection) / 1048576));

      // The alternative: the same rows in a table of their own, as a monthly partition holds them,
      // and the DROP that would replace the deletes.
      execute(
          connection,
          "CREATE TABLE retention_partition_probe AS SELECT g AS id, now() AS occurred_at,"
              + " 'TRANSITION'::text AS type, repeat('x', 60) AS message"
              + " FROM generate_series(1, "
              + events
              + ") g");
      walBefore = wal(connection);
      start = System.nanoTime();
      execute(connection, "DROP TABLE retention_partition_probe");
      out.append(
          String.format(
              "dropping a partition of as many rows instead: %.3f s, %d WAL bytes in all%n",
              (System.nanoTime() - start) / 1e9, wal(connection) - walBefore));
    }
    System.out.print(out);
    Files.writeString(Path.of("target", "benchmark-event-retention.txt"), out.toString());
  }

  private static long size(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet row =
            statement.executeQuery("SELECT pg_total_relation_size('execution_events')")) {
      row.next();
      return row.getLong(1);
    }
  }

  private static long wal(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn")) {
      row.next();
      return row.getLong(1);
    }
  }

  private static void execute(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }
}
