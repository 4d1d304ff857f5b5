package io.executionpoller.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.executionpoller.db.FromBlockingThread;
import io.executionpoller.support.Api;
import io.executionpoller.support.Fixtures;
import io.executionpoller.support.PostgresResource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** GET /api/v1/events/stream: ids, resuming, filters, and a reader that stops reading. */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class EventStreamTest {

  @Inject Fixtures fixtures;
  @Inject MeterRegistry registry;
  @Inject EventStreamStore store;
  @Inject io.agroal.api.AgroalDataSource dataSource;

  @TestHTTPResource("/api/v1/events/stream")
  URI stream;

  /**
   * HTTP/1.1: the JDK's HTTP/2 client would grant the server a 16 MB window and read it all into
   * its own buffers, which is the client reading, not the server holding back.
   */
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeEach
  void clean() {
    fixtures.reset();
  }

  /** One SSE event: its id, name and data. */
  record Sse(long id, String name, String data) {}

  /** Reads events until {@code count} were read. */
  private static List<Sse> read(BufferedReader reader, int count) throws Exception {
    List<Sse> events = new ArrayList<>();
    long id = -1;
    String name = null;
    StringBuilder data = new StringBuilder();
    String line;
    while (events.size() < count && (line = reader.readLine()) != null) {
      if (line.isEmpty()) {
        if (id >= 0) {
          events.add(new Sse(id, name, data.toString()));
        }
        id = -1;
        name = null;
        data.setLength(0);
      } else if (line.startsWith("id:")) {
        id = Long.parseLong(line.substring(3).trim());
      } else if (line.startsWith("event:")) {
        name = line.substring(6).trim();
      } else if (line.startsWith("data:")) {
        data.append(line.substring(5).trim());
      }
    }
    return events;
  }

  private HttpResponse<InputStream> open(String query, String lastEventId) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(stream + (query == null ? "" : "?" + query)))
            .header("Authorization", "Bearer " + Api.VIEWER_TOKEN)
            .header("Accept", "text/event-stream");
    if (lastEventId != null) {
      request.header("Last-Event-ID", lastEventId);
    }
    HttpResponse<InputStream> response =
        http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type").orElse(""))
        .startsWith("text/event-stream");
    return response;
  }

  /** Adds {@code count} events of {@code execution}, each with a message of 2000 characters. */
  private void addEvents(UUID execution, int count, String type) {
    fixtures.update(
        "INSERT INTO execution_events (execution_id, occurred_at, type, attempt, message)"
            + " SELECT '"
            + execution
            + "', now() - interval '1 hour', '"
            + type
            + "', 0, repeat('x', 2000) FROM generate_series(1, "
            + count
            + ")");
  }

  /**
   * A follower that names no place (no Last-Event-ID, no after) starts with what happens from now
   * on: what was there before is not sent, what comes next is.
   */
  @Test
  void shouldFollowFromNowWhenNoPlaceIsNamed() throws Exception {
    UUID execution = fixtures.submit(fixtures.savedWorkflow("wf_stream_now"));
    addEvents(execution, 2, "POLL_REQUESTED");
    HttpResponse<InputStream> response = open(null, null);
    addEvents(execution, 1, "CHECK_FAILED");
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      // Bounded so a stream that sends nothing fails the test instead of hanging it.
      List<Sse> events =
          java.util.concurrent.CompletableFuture.supplyAsync(
                  () -> {
                    try {
                      return read(reader, 1);
                    } catch (Exception e) {
                      throw new IllegalStateException(e);
                    }
                  })
              .get(60, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(events).extracting(Sse::name).containsExactly("CHECK_FAILED");
    }
  }

  @Test
  void shouldResumeAfterTheLastEventIdAndFilterByType() throws Exception {
    UUID execution = fixtures.submit(fixtures.savedWorkflow("wf_stream"));
    addEvents(execution, 3, "POLL_REQUESTED");
    addEvents(execution, 2, "CHECK_FAILED");
    long first = fixtures.count("SELECT min(id) FROM execution_events");

    HttpResponse<InputStream> all = open(null, Long.toString(first + 1));
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(all.body(), StandardCharsets.UTF_8))) {
      List<Sse> events = read(reader, 4);
      assertThat(events)
          .extracting(Sse::id)
          .containsExactly(first + 2, first + 3, first + 4, first + 5);
      assertThat(events.get(0).name()).isEqualTo("POLL_REQUESTED");
      assertThat(events.get(0).data()).contains("\"executionId\":\"" + execution + "\"");
    }

    HttpResponse<InputStream> filtered = open("after=0&type=CHECK_FAILED", null);
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(filtered.body(), StandardCharsets.UTF_8))) {
      assertThat(read(reader, 2)).extracting(Sse::name).containsOnly("CHECK_FAILED");
    }
  }

  @Test
  void shouldReadNoFurtherPagesWhileAReaderDoesNotRead() throws Exception {
    UUID execution = fixtures.submit(fixtures.savedWorkflow("wf_slow_reader"));
    int total = 30_000;
    addEvents(execution, total, "POLL_REQUESTED");
    double pagesBefore = pagesRead();

    HttpResponse<InputStream> response = open("after=0", null);
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      assertThat(read(reader, 1)).hasSize(1);

      // The reader stops; the server fills the connection's buffers and must then stop reading.
      AtomicLong seen = new AtomicLong(-1);
      await()
          .pollInterval(Duration.ofSeconds(2))
          .atMost(Duration.ofSeconds(60))
          .until(() -> seen.getAndSet((long) pagesRead()) == (long) pagesRead());
      double heldBack = pagesRead() - pagesBefore;
      assertThat(heldBack)
          .as("pages read while the reader reads nothing")
          .isLessThan(total / 100.0 / 2);

      List<Sse> rest = read(reader, total);
      assertThat(rest.get(rest.size() - 1).id())
          .as("the stream carries on once the reader reads")
          .isEqualTo(fixtures.count("SELECT max(id) FROM execution_events"));
    }
  }

  @Test
  void shouldNotSkipAnEventWhoseTransactionCommitsAfterALaterEventWasStreamed() throws Exception {
    UUID execution = fixtures.submit(fixtures.savedWorkflow("wf_long_transaction"));
    long before = fixtures.count("SELECT COALESCE(max(id), 0) FROM execution_events");
    EventStreamStore.Position from = FromBlockingThread.inSession(() -> store.positionOf(before));
    EventStreamStore.Filter everything = new EventStreamStore.Filter(null, null, null);
    List<Long> streamed = new ArrayList<>();
    long held;
    EventStreamStore.Position next;
    try (java.sql.Connection open = dataSource.getConnection()) {
      open.setAutoCommit(false);
      // A transaction takes its sequence and stays open...
      try (var insert =
          open.prepareStatement(
              "INSERT INTO execution_events (execution_id, occurred_at, type, attempt, message)"
                  + " VALUES (?, now() - interval '1 hour', 'POLL_REQUESTED', 0, 'held')"
                  + " RETURNING id")) {
        insert.setObject(1, execution);
        var row = insert.executeQuery();
        row.next();
        held = row.getLong(1);
      }
      // ...while a later sequence commits, long enough ago for any wait at a gap to be over.
      addEvents(execution, 1, "CHECK_FAILED");
      long later = fixtures.count("SELECT max(id) FROM execution_events");
      assertThat(later).isGreaterThan(held);

      EventStreamStore.Page page =
          FromBlockingThread.inSession(() -> store.after(from, everything, 100));
      page.events().forEach(e -> streamed.add(e.sequence()));
      next = page.next();
      open.commit();
    }
    EventStreamStore.Position resumed = next;
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              EventStreamStore.Page page =
                  FromBlockingThread.inSession(() -> store.after(resumed, everything, 100));
              List<Long> all = new ArrayList<>(streamed);
              page.events().forEach(e -> all.add(e.sequence()));
              assertThat(all)
                  .as("the held transaction's event, streamed once it committed")
                  .contains(held)
                  .doesNotHaveDuplicates();
            });
  }

  private double pagesRead() {
    return registry.counter("poller.events.stream.pages").count();
  }
}
