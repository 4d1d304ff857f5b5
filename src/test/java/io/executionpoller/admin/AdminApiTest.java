package io.executionpoller.admin;

import static io.executionpoller.support.Api.operator;
import static io.executionpoller.support.Api.viewer;
import static org.assertj.core.api.Assertions.assertThat;

import io.executionpoller.poll.CycleReport;
import io.executionpoller.poll.PollCycle;
import io.executionpoller.results.Results;
import io.executionpoller.simulator.AmcSimulator;
import io.executionpoller.simulator.ExecutionScript;
import io.executionpoller.simulator.Fault;
import io.executionpoller.simulator.Operation;
import io.executionpoller.support.Downloads;
import io.executionpoller.support.Fixtures;
import io.executionpoller.support.PostgresResource;
import io.executionpoller.support.TestClock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The admin API's reads and actions against the real database, loop and simulator. */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class AdminApiTest {

  private static final Duration AWAIT = Duration.ofSeconds(60);

  @Inject PollCycle cycle;
  @Inject AmcSimulator simulator;
  @Inject Fixtures fixtures;
  @Inject TestClock clock;
  @Inject Results results;
  @Inject Downloads downloads;
  @Inject MeterRegistry registry;

  @BeforeEach
  void clean() {
    fixtures.reset();
  }

  private CycleReport runOnce() {
    return cycle.runOnce().await().atMost(AWAIT);
  }

  @Test
  void shouldListExecutionsNewestFirstThroughEveryPageWithoutGapsOrRepeats() {
    UUID first = fixtures.savedWorkflow("wf_list_a");
    UUID second = fixtures.savedWorkflow("wf_list_b", "amcinst02");
    List<UUID> registered = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      // Two share each creation instant, so the id breaks ties across page boundaries.
      if (i % 2 == 0) {
        clock.advance(Duration.ofSeconds(1));
      }
      registered.add(fixtures.submit(i < 5 ? first : second));
    }
    fixtures.update(
        "UPDATE workflow_executions SET status = 'FAILED', error_type = 'QUERY_ERROR' WHERE id = '"
            + registered.get(1)
            + "'");

    List<String> seen = new ArrayList<>();
    List<Instant> created = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      var request = viewer().queryParam("limit", 3);
      if (cursor != null) {
        request.queryParam("cursor", cursor);
      }
      Response page = request.get("/api/v1/executions");
      page.then().statusCode(200);
      seen.addAll(page.jsonPath().getList("items.id", String.class));
      page.jsonPath()
          .getList("items.createdAt", String.class)
          .forEach(at -> created.add(Instant.parse(at)));
      cursor = page.jsonPath().getString("next");
      pages++;
    } while (cursor != null && pages < 10);

    assertThat(pages).isEqualTo(3);
    assertThat(seen).hasSize(7).doesNotHaveDuplicates();
    assertThat(new HashSet<>(seen))
        .isEqualTo(new HashSet<>(registered.stream().map(UUID::toString).toList()));
    assertThat(created).isSortedAccordingTo((a, b) -> b.compareTo(a));

    assertThat(ids(viewer().queryParam("status", "FAILED").get("/api/v1/executions")))
        .containsExactly(registered.get(1).toString());
    assertThat(ids(viewer().queryParam("status", "failed,pending").get("/api/v1/executions")))
        .hasSize(7);
    assertThat(ids(viewer().queryParam("workflowId", second).get("/api/v1/executions"))).hasSize(2);
    assertThat(ids(viewer().queryParam("instanceId", "amcinst02").get("/api/v1/executions")))
        .hasSize(2);
    Response one = viewer().queryParam("status", "FAILED").get("/api/v1/executions");
    assertThat(one.jsonPath().getString("items[0].errorType")).isEqualTo("QUERY_ERROR");
    assertThat(one.jsonPath().getString("items[0].workflowName")).isNull();
    assertThat(one.jsonPath().getString("items[0].instanceId")).isEqualTo(Fixtures.INSTANCE);
    assertThat(
            ids(
                viewer()
                    .queryParam("createdAfter", clock.instant().minusMillis(1500).toString())
                    .get("/api/v1/executions")))
        .as("the last two creation instants: two and one")
        .hasSize(3);
    assertThat(
            ids(
                viewer()
                    .queryParam("createdAfter", clock.instant().plusSeconds(1).toString())
                    .get("/api/v1/executions")))
        .isEmpty();
  }

  @Test
  void shouldRefuseMalformedListParametersWithProblemDocuments() {
    Map<String, String> bad =
        Map.of(
            "status", "BOGUS",
            "limit", "0",
            "workflowId", "' OR 1=1 --",
            "instanceId", "a;DROP TABLE workflows",
            "createdAfter", "yesterday",
            "cursor", "not-a-cursor");
    bad.forEach(
        (name, value) -> {
          Response answer = viewer().queryParam(name, value).get("/api/v1/executions");
          answer.then().statusCode(400).contentType("application/problem+json");
          assertThat(answer.jsonPath().getString("detail")).as(name).contains(name);
        });
    viewer().queryParam("limit", 501).get("/api/v1/executions").then().statusCode(400);
    viewer().queryParam("limit", 500).get("/api/v1/executions").then().statusCode(200);
    viewer().queryParam("limit", 0).get("/api/v1/workflows").then().statusCode(400);
    viewer().get("/api/v1/workflows/not-a-uuid").then().statusCode(400);
    viewer().get("/api/v1/workflows/" + UUID.randomUUID()).then().statusCode(404);
  }

  @Test
  void shouldListAndShowWorkflows() {
    UUID saved = fixtures.savedWorkflow("wf_shown");
    clock.advance(Duration.ofSeconds(1));
    UUID adHoc = fixtures.adHocWorkflow("SELECT 1");

    Response list = viewer().queryParam("limit", 1).get("/api/v1/workflows");
    list.then().statusCode(200);
    assertThat(list.jsonPath().getList("items.id")).containsExactly(adHoc.toString());
    Response rest =
        viewer().queryParam("cursor", list.jsonPath().getString("next")).get("/api/v1/workflows");
    assertThat(rest.jsonPath().getList("items.id")).containsExactly(saved.toString());
    assertThat(rest.jsonPath().getString("next")).isNull();

    Response one = viewer().get("/api/v1/workflows/{id}", saved);
    one.then().statusCode(200);
    assertThat(one.jsonPath().getString("workflowId")).isEqualTo("wf_shown");
    assertThat(one.jsonPath().getString("instanceId")).isEqualTo(Fixtures.INSTANCE);
    assertThat(one.jsonPath().getString("advertiserId")).isEqualTo(Fixtures.ADVERTISER);
  }

  @Test
  void shouldShowAnExecutionInFullAndPageItsAuditTrail() {
    simulator.scriptFor(
        "wf_detail", ExecutionScript.succeeds(Duration.ofSeconds(5), Duration.ofSeconds(10), 3));
    UUID id = fixtures.submit(fixtures.savedWorkflow("wf_detail"));
    runOnce();
    clock.advance(Duration.ofSeconds(6));
    runOnce();
    clock.advance(Duration.ofSeconds(11));
    runOnce();
    downloads.downloadAll();

    Response detail = viewer().get("/api/v1/executions/{id}", id);
    detail.then().statusCode(200);
    assertThat(detail.jsonPath().getString("status")).isEqualTo("SUCCESS");
    assertThat(detail.jsonPath().getString("instanceId")).isEqualTo(Fixtures.INSTANCE);
    assertThat(detail.jsonPath().getString("amcExecutionId")).isNotNull();
    assertThat(detail.jsonPath().getInt("pollCount")).isGreaterThanOrEqualTo(2);
    assertThat(detail.jsonPath().getString("leaseOwner")).isNull();
    assertThat(detail.jsonPath().getString("nextPollAt")).isNotNull();
    assertThat(detail.jsonPath().getString("result.status")).isEqualTo("STORED");
    assertThat(detail.jsonPath().getLong("result.rowCount")).isEqualTo(3);
    assertThat(detail.jsonPath().getLong("resultRows")).isEqualTo(3);

    Response firstPage = viewer().queryParam("limit", 2).get("/api/v1/executions/{id}/events", id);
    firstPage.then().statusCode(200);
    assertThat(firstPage.jsonPath().getList("items.type"))
        .containsExactly("REGISTERED", "SUBMITTED");
    String after = firstPage.jsonPath().getString("next");
    Response rest =
        viewer()
            .queryParam("after", after)
            .queryParam("limit", 100)
            .get("/api/v1/executions/{id}/events", id);
    assertThat(rest.jsonPath().getList("items.type"))
        .containsExactly("TRANSITION", "TRANSITION", "RESULT_STORED");
    assertThat(rest.jsonPath().getList("items.sequence", Long.class))
        .allMatch(sequence -> sequence > Long.parseLong(after))
        .isSorted();
    assertThat(rest.jsonPath().getString("next")).isNull();
    assertThat(rest.jsonPath().getString("items[1].toStatus")).isEqualTo("SUCCESS");

    viewer()
        .queryParam("after", -1)
        .get("/api/v1/executions/{id}/events", id)
        .then()
        .statusCode(400);
    viewer()
        .queryParam("limit", 1001)
        .get("/api/v1/executions/{id}/events", id)
        .then()
        .statusCode(400);
    Response pastTheEnd =
        viewer().queryParam("after", Long.MAX_VALUE - 1).get("/api/v1/executions/{id}/events", id);
    pastTheEnd.then().statusCode(200);
    assertThat(pastTheEnd.jsonPath().getList("items")).isEmpty();
    viewer().get("/api/v1/executions/{id}/events", UUID.randomUUID()).then().statusCode(404);
    viewer().get("/api/v1/executions/{id}", UUID.randomUUID()).then().statusCode(404);
  }

  @Test
  void shouldCancelRemotelyThenLocallySoTheLoopLeavesItAlone() {
    Fixtures.Tracked running = fixtures.trackLongRunning("wf_cancel");
    runOnce();
    assertThat(fixtures.status(running.execution())).isEqualTo("RUNNING");
    long versionBefore =
        ((Number) fixtures.execution(running.execution()).get("version")).longValue();
    double cancelsBefore = transitions("RUNNING", "CANCELLED");

    Response cancel = operator().post("/api/v1/executions/{id}/cancel", running.execution());

    cancel.then().statusCode(200);
    assertThat(cancel.jsonPath().getString("status")).isEqualTo("CANCELLED");
    assertThat(cancel.jsonPath().getBoolean("remoteCancelled")).isTrue();
    Map<String, Object> row = fixtures.execution(running.execution());
    assertThat(row.get("status")).isEqualTo("CANCELLED");
    assertThat(((Number) row.get("version")).longValue()).isGreaterThan(versionBefore);
    assertThat((String) row.get("status_reason")).startsWith("cancelled by operator:");
    assertThat(fixtures.events(running.execution()))
        .endsWith("REMOTE_CANCELLED", "TRANSITION RUNNING->CANCELLED");
    assertThat(transitions("RUNNING", "CANCELLED"))
        .as("an operator's transition is counted like the loop's")
        .isEqualTo(cancelsBefore + 1);
    assertThat(row.get("execution_duration")).as("run time from start to cancel").isNotNull();
    int checks = simulator.statusCalls(running.remoteId());
    clock.advance(Duration.ofMinutes(10));
    assertThat(runOnce().claimed()).isZero();
    assertThat(simulator.statusCalls(running.remoteId())).isEqualTo(checks);

    Response again = operator().post("/api/v1/executions/{id}/cancel", running.execution());
    again.then().statusCode(409).contentType("application/problem+json");
    assertThat(again.jsonPath().getString("detail")).contains("CANCELLED");
  }

  @Test
  void shouldCancelAnUnsubmittedExecutionLocallyOnly() {
    UUID id = fixtures.submit(fixtures.savedWorkflow("wf_never_sent"));

    Response cancel = operator().post("/api/v1/executions/{id}/cancel", id);

    cancel.then().statusCode(200);
    assertThat(cancel.jsonPath().getBoolean("remoteCancelled")).isFalse();
    assertThat(fixtures.events(id)).endsWith("TRANSITION PENDING->CANCELLED");
    runOnce();
    assertThat(simulator.createCalls()).as("a cancelled execution is never submitted").isZero();
  }

  @Test
  void shouldChangeNothingWhenTheRemoteCancelIsRefused() {
    Fixtures.Tracked running = fixtures.trackLongRunning("wf_cancel_refused");
    runOnce();
    simulator.scriptFaults(
        Operation.CANCEL,
        running.remoteId(),
        List.of(
            Fault.ERROR_500, Fault.ERROR_500, Fault.ERROR_500, Fault.ERROR_500, Fault.ERROR_500));

    Response cancel = operator().post("/api/v1/executions/{id}/cancel", running.execution());

    cancel.then().statusCode(502).contentType("application/problem+json");
    assertThat(cancel.jsonPath().getString("detail")).contains("nothing was changed");
    assertThat(fixtures.status(running.execution())).isEqualTo("RUNNING");
    assertThat(fixtures.events(running.execution())).last().isEqualTo("REMOTE_CANCEL_FAILED");
  }

  @Test
  void shouldRetryAFinishedExecutionOnceAsANewLinkedExecution() {
    simulator.scriptFor(
        "wf_retry",
        ExecutionScript.ends(Duration.ZERO, Duration.ofSeconds(5), "FAILED", "Internal failure"));
    UUID workflow = fixtures.savedWorkflow("wf_retry");
    UUID failed = fixtures.submit(workflow);
    runOnce();
    clock.advance(Duration.ofSeconds(10));
    runOnce();
    clock.advance(Duration.ofSeconds(10));
    runOnce();
    fixtures.update("UPDATE workflow_executions SET status = 'FAILED' WHERE id = '" + failed + "'");
    int creates = simulator.createCalls();

    Response retry = operator().post("/api/v1/executions/{id}/retry", failed);

    retry.then().statusCode(201);
    String retryId = retry.jsonPath().getString("retryId");
    assertThat(retry.header("Location")).endsWith("/api/v1/executions/" + retryId);
    Response fresh = viewer().get("/api/v1/executions/{id}", retryId);
    assertThat(fresh.jsonPath().getString("status")).isEqualTo("PENDING");
    assertThat(fresh.jsonPath().getString("retryOf")).isEqualTo(failed.toString());
    assertThat(fresh.jsonPath().getString("workflowId")).isEqualTo(workflow.toString());
    assertThat(viewer().get("/api/v1/executions/{id}", failed).jsonPath().getString("retriedBy"))
        .isEqualTo(retryId);
    assertThat(fixtures.events(failed)).last().isEqualTo("RETRIED");
    assertThat(fixtures.events(UUID.fromString(retryId)))
        .containsExactly("REGISTERED null->PENDING");

    Response twice = operator().post("/api/v1/executions/{id}/retry", failed);
    twice.then().statusCode(409);
    assertThat(twice.jsonPath().getString("detail")).contains(retryId);

    runOnce();
    assertThat(simulator.createCalls()).as("the retry is submitted anew").isEqualTo(creates + 1);
    operator().post("/api/v1/executions/{id}/retry", retryId).then().statusCode(409);
    operator().post("/api/v1/executions/{id}/retry", UUID.randomUUID()).then().statusCode(404);
  }

  @Test
  void shouldMakeAnActiveExecutionDueAtOnceOnPollNow() {
    Fixtures.Tracked running = fixtures.trackLongRunning("wf_poll_now");
    runOnce();
    int checks = simulator.statusCalls(running.remoteId());
    assertThat(runOnce().claimed()).as("not due again yet").isZero();

    operator().post("/api/v1/executions/{id}/poll", running.execution()).then().statusCode(202);

    assertThat(runOnce().claimed()).isEqualTo(1);
    assertThat(simulator.statusCalls(running.remoteId())).isEqualTo(checks + 1);
    assertThat(fixtures.events(running.execution())).contains("POLL_REQUESTED");
    fixtures.update(
        "UPDATE workflow_executions SET status = 'SUCCESS' WHERE id = '"
            + running.execution()
            + "'");
    operator().post("/api/v1/executions/{id}/poll", running.execution()).then().statusCode(409);
    operator().post("/api/v1/executions/{id}/poll", "nope").then().statusCode(400);
  }

  @Test
  void shouldShowDatabaseBacklogRemoteCredentialsAndStuckWorkInTheDebugSnapshot() {
    Fixtures.Tracked running = fixtures.trackLongRunning("wf_debug");
    runOnce();
    fixtures.submit(fixtures.savedWorkflow("wf_debug_due"));
    clock.advance(Duration.ofHours(3));

    Response debug = viewer().get("/api/v1/debug");

    debug.then().statusCode(200);
    assertThat(debug.jsonPath().getBoolean("database.reachable")).isTrue();
    assertThat(debug.jsonPath().getLong("backlog.dueChecks")).isEqualTo(2);
    assertThat(debug.jsonPath().getLong("backlog.oldestDueAgeSeconds"))
        .isGreaterThan(3 * 3600 - 120);
    assertThat(debug.jsonPath().getList("remote.instance")).contains(Fixtures.INSTANCE);
    assertThat(debug.jsonPath().getList("remote.breakerState")).containsOnly("CLOSED");
    assertThat(debug.jsonPath().getString("credentials.state")).isEqualTo("OK");
    assertThat(debug.jsonPath().getList("stuck.executions.executionId"))
        .contains(running.execution().toString());
    assertThat(debug.jsonPath().getMap("stuck.byReason")).containsKey("RUNNING_TOO_LONG");
    assertThat(debug.jsonPath().getString("replica")).isNotBlank();
    assertThat(debug.jsonPath().getList("replicas.replicas.replicaId"))
        .contains(debug.jsonPath().getString("replica"));
    assertThat(debug.jsonPath().getString("replicas.error")).isNull();
    assertThat(debug.asString()).doesNotContain("sim-secret").doesNotContain("Atza|");
  }

  @Test
  void shouldReportStatusCountsSuccessRateDurationsAndResultSizesInTheStats() {
    simulator.scriptFor(
        "wf_stats", ExecutionScript.succeeds(Duration.ZERO, Duration.ofSeconds(10), 4));
    UUID workflow = fixtures.savedWorkflow("wf_stats");
    UUID ok = fixtures.submit(workflow);
    UUID bad = fixtures.submit(workflow);
    runOnce();
    clock.advance(Duration.ofSeconds(1));
    runOnce();
    clock.advance(Duration.ofMinutes(2));
    runOnce();
    downloads.downloadAll();
    fixtures.update(
        "UPDATE workflow_executions SET status = 'FAILED', error_type = 'QUERY_ERROR',"
            + " result_rows = NULL WHERE id = '"
            + bad
            + "'");
    fixtures.update("DELETE FROM execution_results WHERE execution_id = '" + bad + "'");

    Response stats = viewer().queryParam("window", "P1D").get("/api/v1/stats");

    stats.then().statusCode(200);
    assertThat(stats.jsonPath().getString("window")).isEqualTo("PT24H");
    assertThat(stats.jsonPath().getLong("executions")).isEqualTo(2);
    assertThat(stats.jsonPath().getMap("byStatus"))
        .containsEntry("SUCCESS", 1)
        .containsEntry("FAILED", 1);
    assertThat(stats.jsonPath().getDouble("successRate")).isEqualTo(0.5);
    assertThat(stats.jsonPath().getMap("errorTypes")).containsEntry("QUERY_ERROR", 1);
    assertThat(stats.jsonPath().getLong("results.stored")).isEqualTo(1);
    assertThat(stats.jsonPath().getLong("results.rows")).isEqualTo(4);
    assertThat(stats.jsonPath().getLong("results.bytes")).isPositive();
    assertThat(stats.jsonPath().getList("workflows.workflowId"))
        .containsExactly(workflow.toString());
    assertThat(stats.jsonPath().getDouble("workflows[0].p50DurationSeconds")).isPositive();
    assertThat(fixtures.status(ok)).isEqualTo("SUCCESS");

    clock.advance(Duration.ofDays(2));
    assertThat(
            viewer()
                .queryParam("window", "P1D")
                .get("/api/v1/stats")
                .jsonPath()
                .getLong("executions"))
        .isZero();
    for (String window : List.of("P0D", "P400D", "PT30S", "week", "'; DROP TABLE x")) {
      viewer().queryParam("window", window).get("/api/v1/stats").then().statusCode(400);
    }
  }

  private static List<String> ids(Response page) {
    page.then().statusCode(200);
    return page.jsonPath().getList("items.id", String.class);
  }

  private double transitions(String from, String to) {
    Counter counter =
        registry.find("poller.transitions.applied").tag("from", from).tag("to", to).counter();
    return counter == null ? 0 : counter.count();
  }
}
