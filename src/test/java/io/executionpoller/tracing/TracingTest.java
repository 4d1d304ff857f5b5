package io.executionpoller.tracing;

import static io.executionpoller.support.Api.operator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.executionpoller.poll.PollCycle;
import io.executionpoller.simulator.AmcSimulator;
import io.executionpoller.simulator.ExecutionScript;
import io.executionpoller.support.Downloads;
import io.executionpoller.support.Fixtures;
import io.executionpoller.support.PostgresResource;
import io.executionpoller.support.TestClock;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.quarkus.arc.Arc;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The spans of an execution's work, read from the in-memory exporter: one per submission, check and
 * result download, each naming the execution, all in the trace its registration ran in.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class TracingTest {

  private static final Duration AWAIT = Duration.ofSeconds(60);
  private static final String CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String CALLER_SPAN = "00f067aa0ba902b7";

  @Inject InMemorySpanExporter spans;
  @Inject PollCycle cycle;
  @Inject AmcSimulator simulator;
  @Inject Fixtures fixtures;
  @Inject TestClock clock;
  @Inject Downloads downloads;

  @BeforeEach
  void clean() {
    downloads.awaitIdle();
    fixtures.reset();
    spans.reset();
  }

  @Test
  void shouldContinueTheCallersTraceInTheSubmissionChecksAndDownloadOfItsExecution() {
    simulator.scriptFor(
        "wf_trace_ok", ExecutionScript.succeeds(Duration.ofSeconds(20), Duration.ofSeconds(40), 3));
    UUID workflow = fixtures.savedWorkflow("wf_trace_ok");

    UUID execution = register(workflow, "00-" + CALLER_TRACE + "-" + CALLER_SPAN + "-01");

    SpanContext stored = TraceParent.parse(storedTraceparent(execution));
    assertThat(stored.getTraceId()).as("the caller's trace is kept").isEqualTo(CALLER_TRACE);
    SpanData registration = awaitSpan(span -> span.getSpanId().equals(stored.getSpanId()));
    assertThat(registration.getParentSpanId())
        .as("the registration's server span continues the caller's")
        .isEqualTo(CALLER_SPAN);

    runOnce(); // t=0: submitted
    clock.advance(Duration.ofSeconds(30));
    runOnce(); // t=30: RUNNING
    clock.advance(Duration.ofSeconds(45));
    runOnce(); // t=75: SUCCESS
    downloads.downloadAll();
    assertThat(fixtures.status(execution)).isEqualTo("SUCCESS");
    String remote = fixtures.execution(execution).get("amc_execution_id").toString();

    List<SpanData> work =
        awaitSpans(execution, 4, "poller.submit", "poller.check", "poller.result.download");
    assertThat(work)
        .extracting(SpanData::getName)
        .containsExactly("poller.submit", "poller.check", "poller.check", "poller.result.download");
    assertThat(work)
        .allSatisfy(
            span -> {
              assertThat(span.getTraceId()).isEqualTo(CALLER_TRACE);
              assertThat(span.getParentSpanId())
                  .as("a child of the registration")
                  .isEqualTo(stored.getSpanId());
              assertThat(attribute(span, ExecutionSpans.WORKFLOW_ID))
                  .isEqualTo(workflow.toString());
              assertThat(attribute(span, ExecutionSpans.INSTANCE_ID)).isEqualTo(Fixtures.INSTANCE);
              assertThat(attribute(span, ExecutionSpans.REMOTE_ID)).isEqualTo(remote);
              assertThat(span.getStatus().getStatusCode()).isNotEqualTo(StatusCode.ERROR);
            });
    assertThat(work)
        .extracting(span -> attribute(span, ExecutionSpans.OUTCOME))
        .containsExactly("submitted", "observed", "observed", "stored");
  }

  @Test
  void shouldStartATraceAtARegistrationWithoutTraceparentAndRecordNoUrlOrQuery() {
    simulator.scriptFor(
        "wf_trace_fresh",
        ExecutionScript.succeeds(Duration.ofSeconds(20), Duration.ofSeconds(40), 2));
    UUID workflow = fixtures.adHocWorkflow("SELECT secret_column FROM traced_table");
    UUID other = fixtures.savedWorkflow("wf_trace_fresh");

    UUID adHoc = register(workflow, null);
    UUID saved = register(other, "not-a-traceparent");

    SpanContext first = TraceParent.parse(storedTraceparent(adHoc));
    SpanContext second = TraceParent.parse(storedTraceparent(saved));
    assertThat(first.isValid()).as("the registration's own span is stored").isTrue();
    assertThat(second.isValid()).isTrue();
    assertThat(first.getTraceId()).as("a trace each").isNotEqualTo(second.getTraceId());

    runOnce(); // both submitted
    clock.advance(Duration.ofSeconds(30));
    runOnce();
    clock.advance(Duration.ofSeconds(45));
    runOnce();
    downloads.downloadAll();
    assertThat(fixtures.status(saved)).isEqualTo("SUCCESS");

    List<SpanData> savedWork =
        awaitSpans(saved, 4, "poller.submit", "poller.check", "poller.result.download");
    assertThat(savedWork)
        .allSatisfy(span -> assertThat(span.getTraceId()).isEqualTo(second.getTraceId()));
    List<SpanData> adHocWork = awaitSpans(adHoc, 1, "poller.submit");
    assertThat(adHocWork)
        .allSatisfy(span -> assertThat(span.getTraceId()).isEqualTo(first.getTraceId()));

    // The simulator's routes stand in for AMC and S3: their server spans show what our clients
    // sent.
    List<SpanData> simulated =
        spans.getFinishedSpanItems().stream().filter(TracingTest::atTheSimulator).toList();
    assertThat(simulated).as("the simulator saw the calls").isNotEmpty();
    assertThat(simulated)
        .as("no trace context is sent to AMC or S3")
        .allSatisfy(span -> assertThat(span.getParentSpanContext().isValid()).isFalse());
    assertThat(spans.getFinishedSpanItems().stream().filter(span -> !atTheSimulator(span)))
        .as("no span of the daemon records a query, a URL or a token")
        .allSatisfy(
            span ->
                span.getAttributes()
                    .forEach(
                        (key, value) -> {
                          String text = String.valueOf(value);
                          assertThat(text).doesNotContain("secret_column", "X-Amz", "Signature");
                          assertThat(text).doesNotContain("simulator/s3", "token");
                        }));
  }

  @Test
  void shouldMarkAFailedCheckAsAnErrorWithItsKindOnly() {
    Fixtures.Tracked flaky = fixtures.trackLongRunning("wf_trace_flaky");
    simulator.scriptFaults(
        io.executionpoller.simulator.Operation.STATUS,
        flaky.remoteId(),
        List.of(
            io.executionpoller.simulator.Fault.ERROR_500,
            io.executionpoller.simulator.Fault.ERROR_500,
            io.executionpoller.simulator.Fault.ERROR_500));

    runOnce();

    SpanData check = awaitSpans(flaky.execution(), 1, "poller.check").get(0);
    assertThat(check.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(attribute(check, ExecutionSpans.OUTCOME)).isEqualTo("failed");
    assertThat(attribute(check, ExecutionSpans.ERROR_TYPE)).isNotBlank();
    assertThat(check.getStatus().getDescription()).as("no message").isEmpty();
    assertThat(check.getEvents()).as("no exception event with its message").isEmpty();
  }

  @Test
  void shouldStandInForTheOtlpExporterWhileNoEndpointIsConfigured() {
    // Quarkus installs its OTLP exporter (to localhost:4317) when no other exporter can be looked
    // up; the test profile configures no endpoint, as production by default.
    assertThat(Arc.container().select(SpanExporter.class).stream())
        .anySatisfy(exporter -> assertThat(exporter).isInstanceOf(NoExportUntilConfigured.class));
  }

  private UUID register(UUID workflow, String traceparent) {
    var request =
        operator().contentType(ContentType.JSON).body(Map.of("workflowId", workflow.toString()));
    if (traceparent != null) {
      request = request.header(TraceParent.HEADER, traceparent);
    }
    String id = request.post("/api/v1/executions").then().statusCode(201).extract().path("id");
    return UUID.fromString(id);
  }

  private String storedTraceparent(UUID execution) {
    Object value = fixtures.execution(execution).get("traceparent");
    return value == null ? null : value.toString();
  }

  /** The spans about {@code execution} with these names, in the order they ended. */
  private List<SpanData> awaitSpans(UUID execution, int count, String... names) {
    List<String> wanted = List.of(names);
    return await()
        .atMost(AWAIT)
        .until(
            () ->
                spans.getFinishedSpanItems().stream()
                    .filter(span -> wanted.contains(span.getName()))
                    .filter(
                        span ->
                            execution
                                .toString()
                                .equals(attribute(span, ExecutionSpans.EXECUTION_ID)))
                    .toList(),
            found -> found.size() >= count);
  }

  private SpanData awaitSpan(java.util.function.Predicate<SpanData> test) {
    return await()
        .atMost(AWAIT)
        .until(
            () -> spans.getFinishedSpanItems().stream().filter(test).findFirst().orElse(null),
            java.util.Objects::nonNull);
  }

  private static boolean atTheSimulator(SpanData span) {
    String route = span.getAttributes().get(AttributeKey.stringKey("http.route"));
    return route != null && route.startsWith("/simulator/");
  }

  private static String attribute(SpanData span, AttributeKey<String> key) {
    return span.getAttributes().get(key);
  }

  private void runOnce() {
    cycle.runOnce().await().atMost(AWAIT);
  }
}
