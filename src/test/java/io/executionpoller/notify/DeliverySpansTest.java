package io.executionpoller.notify;

import static io.executionpoller.support.Api.operator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.executionpoller.poll.PollCycle;
import io.executionpoller.support.Fixtures;
import io.executionpoller.support.PostgresResource;
import io.executionpoller.support.TestClock;
import io.executionpoller.tracing.ExecutionSpans;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each webhook delivery attempt is a span in the execution's trace, naming the delivery and how the
 * attempt ended by kind only, and the receiver gets none of our trace context.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class DeliverySpansTest {

  private static final Duration AWAIT = Duration.ofSeconds(60);
  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String REGISTRATION_SPAN = "00f067aa0ba902b7";
  private static final String QUERY_TOKEN = "tok_do_not_trace_7f3a";

  @Inject InMemorySpanExporter spans;
  @Inject PollCycle cycle;
  @Inject Fixtures fixtures;
  @Inject TestClock clock;
  @Inject DeliveryDispatcher dispatcher;
  @Inject Vertx vertx;
  @Inject io.agroal.api.AgroalDataSource dataSource;

  private Receiver receiver;

  @BeforeEach
  void start() throws Exception {
    fixtures.reset();
    spans.reset();
    receiver = new Receiver(vertx);
  }

  @AfterEach
  void stop() throws Exception {
    receiver.close();
  }

  @Test
  void shouldMakeOneSpanPerAttemptInTheExecutionsTraceWithAFailedAttemptAnError() throws Exception {
    UUID subscription =
        UUID.fromString(
            operator()
                .contentType(ContentType.JSON)
                .body(
                    Map.of(
                        "url",
                        receiver.url() + "?token=" + QUERY_TOKEN,
                        "eventTypes",
                        List.of("execution.cancelled")))
                .post("/api/v1/subscriptions")
                .then()
                .statusCode(201)
                .extract()
                .path("id"));
    Fixtures.Tracked running = fixtures.trackLongRunning("wf_span");
    cycle.runOnce().await().atMost(AWAIT);
    setTraceparent(running.execution(), "00-" + TRACE + "-" + REGISTRATION_SPAN + "-01");
    operator().post("/api/v1/executions/{id}/cancel", running.execution()).then().statusCode(200);

    receiver.answer(503);
    assertThat(dispatcher.runOnce()).isEqualTo(1);
    clock.advance(Duration.ofMinutes(2));
    assertThat(dispatcher.runOnce()).isEqualTo(1);

    List<SpanData> attempts =
        await()
            .atMost(AWAIT)
            .until(
                () ->
                    spans.getFinishedSpanItems().stream()
                        .filter(span -> span.getName().equals(DeliverySpans.NAME))
                        .sorted(
                            Comparator.comparing(
                                span -> span.getAttributes().get(DeliverySpans.ATTEMPT)))
                        .toList(),
                found -> found.size() >= 2);
    assertThat(attempts).as("one span per attempt").hasSize(2);
    String delivery = receiver.received().get(0).header("webhook-id");
    assertThat(attempts)
        .allSatisfy(
            span -> {
              assertThat(span.getTraceId()).as("the execution's trace").isEqualTo(TRACE);
              assertThat(span.getParentSpanId())
                  .as("a child of the registration")
                  .isEqualTo(REGISTRATION_SPAN);
              assertThat(span.getAttributes().get(DeliverySpans.DELIVERY_ID)).isEqualTo(delivery);
              assertThat(span.getAttributes().get(DeliverySpans.EVENT_TYPE))
                  .isEqualTo("execution.cancelled");
              assertThat(span.getAttributes().get(DeliverySpans.SUBSCRIPTION_ID))
                  .isEqualTo(subscription.toString());
              assertThat(span.getAttributes().get(ExecutionSpans.EXECUTION_ID))
                  .isEqualTo(running.execution().toString());
              assertThat(span.getAttributes().toString())
                  .as("never the URL or its query")
                  .doesNotContain(QUERY_TOKEN)
                  .doesNotContain("127.0.0.1")
                  .doesNotContain("whsec_");
            });

    SpanData failed = attempts.get(0);
    assertThat(failed.getAttributes().get(DeliverySpans.ATTEMPT)).isEqualTo(1L);
    assertThat(failed.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(failed.getAttributes().get(DeliverySpans.STATUS_CLASS)).isEqualTo("5xx");
    assertThat(failed.getAttributes().get(ExecutionSpans.OUTCOME)).isEqualTo("failed");
    assertThat(failed.getAttributes().get(ExecutionSpans.ERROR_TYPE)).isEqualTo("http_5xx");

    SpanData delivered = attempts.get(1);
    assertThat(delivered.getAttributes().get(DeliverySpans.ATTEMPT)).isEqualTo(2L);
    assertThat(delivered.getStatus().getStatusCode()).isNotEqualTo(StatusCode.ERROR);
    assertThat(delivered.getAttributes().get(DeliverySpans.STATUS_CLASS)).isEqualTo("2xx");
    assertThat(delivered.getAttributes().get(ExecutionSpans.OUTCOME)).isEqualTo("delivered");

    assertThat(receiver.received())
        .hasSize(2)
        .allSatisfy(
            r -> {
              assertThat(r.headers())
                  .as("receivers get no trace context")
                  .doesNotContainKeys("traceparent", "tracestate", "baggage");
            });
  }

  @Test
  void shouldStartNoTraceOfItsOwnParentForAnExecutionWithoutTraceparentAndNameAFailureByKind()
      throws Exception {
    operator()
        .contentType(ContentType.JSON)
        .body(Map.of("url", receiver.url(), "eventTypes", List.of("execution.cancelled")))
        .post("/api/v1/subscriptions")
        .then()
        .statusCode(201);
    Fixtures.Tracked running = fixtures.trackLongRunning("wf_span_none");
    cycle.runOnce().await().atMost(AWAIT);
    setTraceparent(running.execution(), null);
    operator().post("/api/v1/executions/{id}/cancel", running.execution()).then().statusCode(200);
    receiver.close(); // nobody listens: the attempt fails without an answer

    assertThat(dispatcher.runOnce()).isEqualTo(1);

    SpanData attempt =
        await()
            .atMost(AWAIT)
            .until(
                () ->
                    spans.getFinishedSpanItems().stream()
                        .filter(span -> span.getName().equals(DeliverySpans.NAME))
                        .toList(),
                found -> !found.isEmpty())
            .get(0);
    assertThat(attempt.getParentSpanContext().isValid()).as("a root of its own").isFalse();
    assertThat(attempt.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(attempt.getAttributes().get(DeliverySpans.STATUS_CLASS)).isNull();
    assertThat(attempt.getAttributes().get(ExecutionSpans.ERROR_TYPE))
        .as("the kind of failure, no message or address")
        .matches("[A-Za-z0-9_$]+");
    receiver = new Receiver(vertx); // for stop()
  }

  private void setTraceparent(UUID execution, String traceparent) throws Exception {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement update =
            connection.prepareStatement(
                "UPDATE workflow_executions SET traceparent = ? WHERE id = ?")) {
      update.setString(1, traceparent);
      update.setObject(2, execution);
      assertThat(update.executeUpdate()).isEqualTo(1);
    }
  }
}
