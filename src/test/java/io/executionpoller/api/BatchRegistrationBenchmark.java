package io.executionpoller.api;

import static io.executionpoller.support.Api.operator;

import io.executionpoller.support.Fixtures;
import io.executionpoller.support.PostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Registrations per second through POST /api/v1/executions/batch over HTTP, with a key and an
 * explicit daily window per item, against the local PostgreSQL; the single POST is measured beside
 * it for comparison. Run with {@code ./mvnw test -Pbenchmark -Dtest=BatchRegistrationBenchmark
 * -Dbench.batches=40 -Dbench.batch-size=1000 -Dbench.clients=2}; prints and writes
 * target/benchmark-batch-registration.txt. It reports, it does not assert.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
@Tag("benchmark")
class BatchRegistrationBenchmark {

  @Inject Fixtures fixtures;

  @Test
  void shouldMeasureRegistrationsPerSecond() throws Exception {
    int batches = Integer.getInteger("bench.batches", 40);
    int size = Integer.getInteger("bench.batch-size", 1000);
    int clients = Integer.getInteger("bench.clients", 2);
    int singles = Integer.getInteger("bench.singles", 400);
    fixtures.reset();
    UUID workflow = fixtures.savedWorkflow("wf_bench_batch");

    // Warm-up: JIT, connection pools, statement caches.
    for (int i = 0; i < 3; i++) {
      post(body(workflow, "warm-" + i, size));
    }
    List<String> bodies = new ArrayList<>();
    for (int b = 0; b < batches; b++) {
      bodies.add(body(workflow, "bench-" + b, size));
    }
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    long start = System.nanoTime();
    List<Future<?>> sent = new ArrayList<>();
    for (String body : bodies) {
      sent.add(pool.submit(() -> post(body)));
    }
    for (Future<?> future : sent) {
      future.get();
    }
    double batchSeconds = (System.nanoTime() - start) / 1e9;
    pool.shutdown();

    long singleStart = System.nanoTime();
    for (int i = 0; i < singles; i++) {
      operator()
          .contentType(ContentType.JSON)
          .header("Idempotency-Key", "single-" + i)
          .body("{\"workflowId\":\"" + workflow + "\"}")
          .post("/api/v1/executions")
          .then()
          .statusCode(201);
    }
    double singleSeconds = (System.nanoTime() - singleStart) / 1e9;

    String report =
        String.format(
            Locale.ROOT,
            "batch registration benchmark: %d batches of %d with %d clients: %.2f s,"
                + " %.0f registrations/s; single POST (one client): %d in %.2f s, %.0f/s%n",
            batches,
            size,
            clients,
            batchSeconds,
            batches * size / batchSeconds,
            singles,
            singleSeconds,
            singles / singleSeconds);
    System.out.print(report);
    Files.writeString(Path.of("target", "benchmark-batch-registration.txt"), report);
  }

  private static void post(String body) {
    operator()
        .contentType(ContentType.JSON)
        .body(body)
        .post("/api/v1/executions/batch")
        .then()
        .statusCode(200);
  }

  /** {@code size} daily windows from 2020-01-01, each item keyed by its batch and day. */
  private static String body(UUID workflow, String batch, int size) throws IOException {
    StringBuilder json = new StringBuilder("{\"registrations\":[");
    LocalDate day = LocalDate.of(2020, 1, 1);
    for (int i = 0; i < size; i++) {
      if (i > 0) {
        json.append(',');
      }
      json.append("{\"idempotencyKey\":\"")
          .append(batch)
          .append('-')
          .append(day)
          .append("\",\"workflowId\":\"")
          .append(workflow)
          .append("\",\"timeWindow\":{\"type\":\"EXPLICIT\",\"start\":\"")
          .append(day)
          .append("T00:00:00\",\"end\":\"")
          .append(day.plusDays(1))
          .append("T00:00:00\"}}");
      day = day.plusDays(1);
    }
    return json.append("]}").toString();
  }
}
