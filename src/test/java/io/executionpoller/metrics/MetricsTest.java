package io.executionpoller.metrics;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.executionpoller.notify.DeliveryDispatcher;
import io.executionpoller.notify.NotificationMetrics;
import io.executionpoller.notify.Receiver;
import io.executionpoller.poll.LoopMetrics;
import io.executionpoller.poll.PollCycle;
import io.executionpoller.remote.FreshRemoteState;
import io.executionpoller.simulator.AmcSimulator;
import io.executionpoller.simulator.ExecutionScript;
import io.executionpoller.simulator.Fault;
import io.executionpoller.simulator.Operation;
import io.executionpoller.support.Downloads;
import io.executionpoller.support.Fixtures;
import io.executionpoller.support.PostgresResource;
import io.executionpoller.support.TestClock;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The metrics after a scripted run, read as Prometheus reads them: from /q/metrics on the
 * management port. Counters are cumulative over the whole test JVM, so the run is measured as the
 * difference between a scrape before and one after it.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class MetricsTest {

  private static final Duration AWAIT = Duration.ofSeconds(60);
  private static final String INSTANCE = Fixtures.INSTANCE;

  @Inject PollCycle cycle;
  @Inject AmcSimulator simulator;
  @Inject Fixtures fixtures;
  @Inject TestClock clock;
  @Inject Downloads downloads;
  @Inject LoopMetrics gauges;
  @Inject DeliveryDispatcher dispatcher;
  @Inject NotificationMetrics notificationMetrics;
  @Inject io.vertx.core.Vertx vertx;

  /** The management port of this test run (19001 unless overridden). */
  @ConfigProperty(name = "quarkus.management.test-port")
  int managementPort;

  @BeforeEach
  void clean() {
    downloads.awaitIdle();
    fixtures.reset();
  }

  @AfterEach
  void restoreGate() {
    FreshRemoteState.freshGate();
  }

  @Test
  void shouldExposeEveryLifecycleMetricWithBoundedLabelsAfterAScriptedRun() throws Exception {
    Scrape before = scrape();
    simulator.scriptFor(
        "wf_m_ok", ExecutionScript.succeeds(Duration.ofSeconds(20), Duration.ofSeconds(40), 3));
    simulator.scriptFor(
        "wf_m_query",
        ExecutionScript.failsWithQueryError(Duration.ofSeconds(20), Duration.ofSeconds(40)));
    simulator.scriptFor(
        "wf_m_retry",
        ExecutionScript.failsWithInternalError(Duration.ofSeconds(20), Duration.ofSeconds(40)));
    UUID okWorkflow = fixtures.savedWorkflow("wf_m_ok");
    UUID queryWorkflow = fixtures.savedWorkflow("wf_m_query");
    UUID ok = fixtures.submit(okWorkflow);
    UUID failing = fixtures.submit(queryWorkflow);
    UUID retried = fixtures.submit(fixtures.savedWorkflow("wf_m_retry"));
    // A running execution whose first status check meets three 500s (one call and its two repeats).
    Fixtures.Tracked flaky = fixtures.trackLongRunning("wf_m_flaky");
    simulator.scriptFaults(
        Operation.STATUS,
        flaky.remoteId(),
        List.of(Fault.ERROR_500, Fault.ERROR_500, Fault.ERROR_500));
    // PENDING at AMC for an hour; made RUNNING locally below, so AMC's PENDING asks for a
    // forbidden RUNNING -> PENDING.
    String backwardsRemote =
        simulator.preload(
            INSTANCE,
            "wf_m_back",
            ExecutionScript.succeeds(Duration.ofHours(1), Duration.ofHours(1), 1));
    UUID backwards = fixtures.track(fixtures.savedWorkflow("wf_m_back"), backwardsRemote);

    runOnce(); // t=0: three creates, the flaky check fails, the backwards one stays PENDING
    fixtures.update(
        "UPDATE workflow_executions SET status = 'RUNNING', remote_status = 'RUNNING',"
            + " started_at = now() WHERE id = '"
            + backwards
            + "'");
    // A slow rate limit for one cycle: calls queue for their account's tokens.
    FreshRemoteState.gateLimitingEveryAccount(20, 1);
    clock.advance(Duration.ofSeconds(30));
    runOnce(); // t=30: four PENDING -> RUNNING (the flaky one answers), the backwards one rejected
    FreshRemoteState.freshGate();
    clock.advance(Duration.ofSeconds(45));
    runOnce(); // t=75: SUCCESS, FAILED (query error), RETRY (internal error)
    downloads.downloadAll();
    // Nobody polls for 90 s: the oldest due checks (flaky and backwards, due at t=90) wait 75 s.
    clock.advance(Duration.ofSeconds(90));
    gauges.refresh().await().atMost(AWAIT);

    Scrape after = scrape();
    Path file = Path.of("target", "metrics-scrape.txt");
    Files.createDirectories(file.getParent());
    Files.writeString(file, after.text(), StandardCharsets.UTF_8);
    Delta delta = new Delta(before, after);

    assertThat(delta.of("poller_checks_total", Map.of("outcome", "submitted"))).isEqualTo(3);
    assertThat(delta.of("poller_checks_total", Map.of("outcome", "failed"))).isEqualTo(1);
    assertThat(delta.of("poller_checks_total", Map.of("outcome", "transition"))).isEqualTo(6);
    assertThat(delta.of("poller_checks_total", Map.of("outcome", "rejected"))).isEqualTo(1);
    assertThat(delta.of("poller_checks_total", Map.of("outcome", "retry"))).isEqualTo(1);
    assertThat(delta.of("poller_checks_total", Map.of("outcome", "unchanged"))).isEqualTo(3);
    assertThat(delta.of("poller_check_duration_seconds_count", Map.of())).isEqualTo(15);
    assertThat(after.named("poller_check_duration_seconds_bucket"))
        .as("explicit buckets, a modest number")
        .hasSizeBetween(10, 20);

    assertThat(transitions(delta, "PENDING", "RUNNING")).isEqualTo(4);
    assertThat(transitions(delta, "RUNNING", "SUCCESS")).isEqualTo(1);
    assertThat(transitions(delta, "RUNNING", "FAILED")).isEqualTo(1);
    assertThat(
            delta.of(
                "poller_transitions_rejected_total", Map.of("from", "RUNNING", "to", "PENDING")))
        .isEqualTo(1);

    assertThat(delta.of("poller_errors_total", Map.of("stage", "check", "type", "AMC_API_ERROR")))
        .isEqualTo(1);
    assertThat(delta.of("poller_errors_total", Map.of("stage", "execution", "type", "QUERY_ERROR")))
        .isEqualTo(1);
    assertThat(
            delta.of("poller_errors_total", Map.of("stage", "execution", "type", "AMC_API_ERROR")))
        .isEqualTo(1);
    assertThat(delta.of("poller_retries_scheduled_total", Map.of("type", "AMC_API_ERROR")))
        .isEqualTo(1);

    assertThat(requests(delta, "create_execution", "success")).isEqualTo(3);
    assertThat(requests(delta, "get_execution", "server_error")).isEqualTo(3);
    assertThat(requests(delta, "get_execution", "success")).isEqualTo(11);
    assertThat(requests(delta, "token_refresh", "success")).isEqualTo(1);
    assertThat(requests(delta, "get_download_urls", "success")).isEqualTo(1);
    assertThat(
            delta.of("poller_remote_rate_limit_wait_seconds_count", Map.of("instance", INSTANCE)))
        .isGreaterThanOrEqualTo(1);
    assertThat(delta.of("poller_remote_rate_limit_wait_seconds_sum", Map.of("instance", INSTANCE)))
        .isPositive();
    assertThat(after.named("poller_remote_breaker_state"))
        .filteredOn(sample -> INSTANCE.equals(sample.labels().get("instance")))
        .singleElement()
        .satisfies(sample -> assertThat(sample.value()).as("closed").isZero());

    assertThat(delta.of("poller_results_stored_rows_total", Map.of())).isEqualTo(3);
    assertThat(delta.of("poller_results_stored_bytes_total", Map.of())).isPositive();
    assertThat(
            delta.of("poller_results_download_duration_seconds_count", Map.of("outcome", "stored")))
        .isEqualTo(1);

    // Two ran from t=30 (RUNNING) to t=75 (final): 45 s each, measured on the application clock.
    assertThat(delta.of("poller_execution_duration_seconds_count", Map.of("instance", INSTANCE)))
        .isEqualTo(2);
    assertThat(delta.of("poller_execution_duration_seconds_sum", Map.of("instance", INSTANCE)))
        .isEqualTo(90);

    assertThat(after.value("poller_executions", Map.of("status", "SUCCESS"))).isEqualTo(1);
    assertThat(after.value("poller_executions", Map.of("status", "FAILED"))).isEqualTo(1);
    assertThat(after.value("poller_executions", Map.of("status", "RUNNING"))).isEqualTo(2);
    assertThat(after.value("poller_executions", Map.of("status", "PENDING"))).isEqualTo(1);
    assertThat(after.named("poller_executions"))
        .extracting(sample -> sample.labels().get("status"))
        .containsExactlyInAnyOrder(
            "PENDING", "RUNNING", "SUCCESS", "FAILED", "CANCELLED", "TIMEOUT");
    assertThat(after.value("poller_due_check_lag_seconds")).isCloseTo(75, within(0.01));
    assertThat(after.named("poller_checks_in_flight")).singleElement();
    assertThat(after.value("poller_checks_in_flight")).isZero();

    Set<String> ids = new HashSet<>();
    for (UUID id : List.of(ok, failing, retried, flaky.execution(), backwards)) {
      ids.add(id.toString());
      Object remote = fixtures.execution(id).get("amc_execution_id");
      if (remote != null) {
        ids.add(remote.toString());
      }
    }
    assertThat(after.samples())
        .as("no label carries an execution id")
        .allSatisfy(
            sample -> assertThat(sample.labels().values()).doesNotContainAnyElementsOf(ids));

    assertThat(after.metadata("poller_check_duration_seconds"))
        .contains("# TYPE poller_check_duration_seconds histogram");
    assertThat(after.metadata("poller_remote_request_duration_seconds"))
        .contains("# TYPE poller_remote_request_duration_seconds histogram");
    assertThat(after.metadata("poller_execution_duration_seconds"))
        .contains("# TYPE poller_execution_duration_seconds histogram");
    assertThat(after.metadata("poller_checks_total"))
        .contains("# TYPE poller_checks_total counter");
    assertThat(after.metadata("poller_executions")).contains("# TYPE poller_executions gauge");

    assertPromtoolClean(file);
  }

  @Test
  void shouldLabelNoSeriesWithAWorkflowOrAnExecutionHoweverManyRun() {
    Set<String> ids = new HashSet<>();
    List<UUID> executions = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      String name = "wf_m_many_" + i;
      simulator.scriptFor(
          name, ExecutionScript.succeeds(Duration.ofSeconds(20), Duration.ofSeconds(40), 1));
      UUID workflow = fixtures.savedWorkflow(name);
      ids.add(workflow.toString());
      executions.add(fixtures.submit(workflow));
    }

    runOnce(); // t=0: created
    clock.advance(Duration.ofSeconds(30));
    runOnce(); // t=30: RUNNING
    clock.advance(Duration.ofSeconds(45));
    runOnce(); // t=75: SUCCESS, each with a run time

    for (UUID id : executions) {
      assertThat(fixtures.status(id)).isEqualTo("SUCCESS");
      ids.add(id.toString());
      ids.add(fixtures.execution(id).get("amc_execution_id").toString());
    }
    Scrape after = scrape();
    assertThat(after.named("poller_execution_duration_seconds_count")).isNotEmpty();
    assertThat(after.samples())
        .as("no label is per workflow or per execution")
        .allSatisfy(
            sample -> {
              assertThat(sample.labels().keySet())
                  .as(sample.name())
                  .doesNotContain("workflow", "execution");
              assertThat(sample.labels().values())
                  .as(sample.name())
                  .doesNotContainAnyElementsOf(ids);
            });
  }

  /** promtool check metrics: exit 0 and not one lint message, on the whole scrape. */
  private static void assertPromtoolClean(Path file) throws IOException, InterruptedException {
    Promtool.Run run = Promtool.run(Path.of("."), file, "check", "metrics");
    assertThat(run.output()).as("promtool check metrics on " + file.toAbsolutePath()).isBlank();
    assertThat(run.exitCode()).as("promtool exit code; output: " + run.output()).isZero();
  }

  private static double transitions(Delta delta, String from, String to) {
    return delta.of("poller_transitions_applied_total", Map.of("from", from, "to", to));
  }

  @Test
  void shouldCountWebhookDeliveriesByOutcomeWithTheirLatencyAndTheOutboxDepth() throws Exception {
    try (Receiver receiver = new Receiver(vertx)) {
      given()
          .header("Authorization", "Bearer " + io.executionpoller.support.Api.OPERATOR_TOKEN)
          .contentType("application/json")
          .body(Map.of("url", receiver.url(), "eventTypes", List.of("execution.cancelled")))
          .post("/api/v1/subscriptions")
          .then()
          .statusCode(201);
      UUID workflow = fixtures.savedWorkflow("wf_m_hooks");
      List<UUID> executions = List.of(fixtures.submit(workflow), fixtures.submit(workflow));
      for (UUID execution : executions) {
        fixtures.update(
            "INSERT INTO execution_events (execution_id, occurred_at, type, attempt, from_status,"
                + " to_status) VALUES ('"
                + execution
                + "', '"
                + clock.instant()
                + "', 'TRANSITION', 0, 'PENDING', 'CANCELLED')");
      }
      notificationMetrics.refresh();
      Scrape before = scrape();
      assertThat(before.value("poller_notifications_outbox_pending")).isEqualTo(2);
      assertThat(before.value("poller_notifications_outbox_oldest_age_seconds")).isPositive();

      receiver.answer(500, 200);
      dispatcher.runOnce();
      notificationMetrics.refresh();

      Scrape after = scrape();
      Delta delta = new Delta(before, after);
      assertThat(delta.of("poller_notifications_deliveries_total", Map.of("outcome", "delivered")))
          .isEqualTo(1);
      assertThat(delta.of("poller_notifications_deliveries_total", Map.of("outcome", "failed")))
          .isEqualTo(1);
      assertThat(delta.of("poller_notifications_delivery_latency_seconds_count", Map.of()))
          .isEqualTo(1);
      assertThat(after.value("poller_notifications_outbox_pending")).isEqualTo(1);
      assertThat(after.metadata("poller_notifications_delivery_latency_seconds"))
          .contains("# TYPE poller_notifications_delivery_latency_seconds histogram");
    }
  }

  private static double requests(Delta delta, String operation, String outcome) {
    return delta.of(
        "poller_remote_request_duration_seconds_count",
        Map.of("operation", operation, "outcome", outcome));
  }

  /** What a run added to the counters: after minus before (0 where a series was absent). */
  private record Delta(Scrape before, Scrape after) {
    double of(String name, Map<String, String> labels) {
      return after.value(name, labels) - before.value(name, labels);
    }
  }

  private Scrape scrape() {
    return Scrape.of(managementPort);
  }

  private void runOnce() {
    cycle.runOnce().await().atMost(AWAIT);
  }
}
