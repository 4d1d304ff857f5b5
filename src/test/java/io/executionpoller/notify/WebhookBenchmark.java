package io.executionpoller.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.agroal.api.AgroalDataSource;
import io.executionpoller.support.Api;
import io.executionpoller.support.Fixtures;
import io.executionpoller.support.PostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Webhooks under load: 10,000 executions are cancelled over one minute (each in its own transaction
 * with its TRANSITION event, as an operator's cancel writes it), one subscription sends them to a
 * receiver in this JVM, and the dispatcher runs as the scheduler runs it: a tick drains full
 * batches back to back, and the next tick follows after poller.notifications.tick. Prints the
 * delivery latency from the outbox row's commit to its arrival at the receiver (p50, p95, max),
 * deliveries per second, the outbox's depth every five seconds, and the database's work per
 * delivery (transactions and tuples, from pg_stat_database, the executions' own writes included).
 *
 * <pre>./mvnw test -Pbenchmark -Dtest=WebhookBenchmark</pre>
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
@Tag("benchmark")
class WebhookBenchmark {

  private static final int EXECUTIONS = Integer.getInteger("bench.executions", 10_000);
  private static final Duration SPREAD = Duration.ofSeconds(60);

  @Inject Fixtures fixtures;
  @Inject DeliveryDispatcher dispatcher;
  @Inject AgroalDataSource dataSource;
  @Inject Vertx vertx;
  @Inject io.executionpoller.support.TestClock clock;
  @Inject NotificationsConfig config;

  @Test
  void shouldDeliverTenThousandFinishedExecutionsAndReportTheFigures() throws Exception {
    fixtures.reset();
    try (Receiver receiver = new Receiver(vertx)) {
      Api.operator()
          .contentType(ContentType.JSON)
          .body(Map.of("url", receiver.url(), "eventTypes", List.of("execution.cancelled")))
          .post("/api/v1/subscriptions")
          .then()
          .statusCode(201);
      UUID workflow = fixtures.savedWorkflow("wf_bench_hooks");
      fixtures.update(
          "INSERT INTO workflow_executions (id, workflow_id, status, created_at, updated_at,"
              + " next_poll_at) SELECT gen_random_uuid(), '"
              + workflow
              + "', 'RUNNING', now(), now(), now() + interval '1 day'"
              + " FROM generate_series(1, "
              + EXECUTIONS
              + ")");
      List<UUID> executions = new ArrayList<>();
      for (Map<String, Object> row :
          fixtures.query(
              "SELECT id FROM workflow_executions WHERE workflow_id = ?::uuid", workflow)) {
        executions.add((UUID) row.get("id"));
      }
      long[] statsBefore = databaseStats();

      Duration tick = config.tick();
      AtomicBoolean finishing = new AtomicBoolean(true);
      Thread dispatching =
          new Thread(
              () -> {
                // What the scheduler does: a tick drains full batches back to back, then the next
                // tick follows after the configured interval.
                while (finishing.get() || pending() > 0) {
                  dispatcher.drain();
                  pause(tick);
                }
              },
              "bench-dispatcher");
      List<String> depth = new ArrayList<>();
      Thread sampling =
          new Thread(
              () -> {
                long start = System.nanoTime();
                while (finishing.get() || pending() > 0) {
                  depth.add(
                      String.format(
                          "t=%ds pending=%d",
                          Duration.ofNanos(System.nanoTime() - start).toSeconds(), pending()));
                  pause(Duration.ofSeconds(5));
                }
              },
              "bench-depth");
      long started = System.nanoTime();
      dispatching.start();
      sampling.start();
      finishOverAMinute(executions);
      finishing.set(false);
      dispatching.join();
      sampling.join();
      double seconds = (System.nanoTime() - started) / 1e9;
      long[] statsAfter = databaseStats();

      List<Receiver.Received> received = receiver.received();
      assertThat(received).hasSize(EXECUTIONS);
      Map<String, Instant> committed = createdAt();
      double[] latencies =
          received.stream()
              .mapToDouble(
                  r ->
                      Duration.between(committed.get(r.header("webhook-id")), r.arrivedAt())
                              .toNanos()
                          / 1e6)
              .sorted()
              .toArray();
      System.out.printf(
          "WEBHOOK BENCHMARK: %d deliveries in %.1f s (%.0f/s, finishing spread over %d s)%n",
          received.size(), seconds, received.size() / seconds, SPREAD.toSeconds());
      System.out.printf(
          "latency from commit ms: p50=%.0f p95=%.0f max=%.0f%n",
          percentile(latencies, 0.50),
          percentile(latencies, 0.95),
          latencies[latencies.length - 1]);
      System.out.println("outbox depth: " + String.join(", ", depth));
      String[] names = {
        "transactions", "tuples read", "tuples inserted", "tuples updated", "blocks"
      };
      StringBuilder cost = new StringBuilder("database work per delivery (executions included):");
      for (int i = 0; i < names.length; i++) {
        cost.append(
            String.format(
                " %s=%.1f", names[i], (statsAfter[i] - statsBefore[i]) / (double) EXECUTIONS));
      }
      System.out.println(cost);
    }
  }

  /** Cancels the executions in equal slices every 100 ms for a minute, one transaction each. */
  private void finishOverAMinute(List<UUID> executions) throws Exception {
    int slices = (int) (SPREAD.toMillis() / 100);
    int perSlice = (executions.size() + slices - 1) / slices;
    long start = System.nanoTime();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement cancel =
            connection.prepareStatement(
                "WITH moved AS (UPDATE workflow_executions SET status = 'CANCELLED',"
                    + " completed_at = ?, updated_at = ? WHERE id = ? RETURNING id)"
                    + " INSERT INTO execution_events (execution_id, occurred_at, type, attempt,"
                    + " from_status, to_status) SELECT id, ?, 'TRANSITION', 0, 'RUNNING',"
                    + " 'CANCELLED' FROM moved")) {
      for (int slice = 0; slice < slices; slice++) {
        long due = start + Duration.ofMillis(100L * slice).toNanos();
        pause(Duration.ofNanos(Math.max(0, due - System.nanoTime())));
        int from = slice * perSlice;
        for (UUID id :
            executions.subList(
                Math.min(from, executions.size()), Math.min(from + perSlice, executions.size()))) {
          // The application's clock: the dispatcher finds deliveries due by it.
          Timestamp now = Timestamp.from(clock.instant());
          cancel.setTimestamp(1, now);
          cancel.setTimestamp(2, now);
          cancel.setObject(3, id);
          cancel.setTimestamp(4, now);
          cancel.executeUpdate();
        }
      }
    }
  }

  private long pending() {
    return fixtures.count("SELECT count(*) FROM webhook_deliveries WHERE status = 'PENDING'");
  }

  private Map<String, Instant> createdAt() throws Exception {
    Map<String, Instant> created = new HashMap<>();
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT id, created_at FROM webhook_deliveries")) {
      while (rows.next()) {
        created.put(rows.getString(1), rows.getTimestamp(2).toInstant());
      }
    }
    return created;
  }

  private long[] databaseStats() throws Exception {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("SELECT pg_stat_clear_snapshot()");
      try (ResultSet row =
          statement.executeQuery(
              "SELECT xact_commit, tup_returned + tup_fetched, tup_inserted, tup_updated,"
                  + " blks_hit + blks_read FROM pg_stat_database"
                  + " WHERE datname = current_database()")) {
        row.next();
        long[] values = new long[5];
        for (int i = 0; i < values.length; i++) {
          values[i] = row.getLong(i + 1);
        }
        return values;
      }
    }
  }

  private static double percentile(double[] sorted, double p) {
    return sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  }

  private static void pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis(), 0);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
