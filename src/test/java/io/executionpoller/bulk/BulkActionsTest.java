package io.executionpoller.bulk;

import static io.executionpoller.support.Api.operator;
import static io.executionpoller.support.Api.viewer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.executionpoller.simulator.AmcSimulator;
import io.executionpoller.simulator.ExecutionScript;
import io.executionpoller.simulator.Fault;
import io.executionpoller.simulator.Operation;
import io.executionpoller.support.Fixtures;
import io.executionpoller.support.PostgresResource;
import io.executionpoller.support.TestClock;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bulk actions through the API against the real database and simulator: preview, confirmation,
 * reason, the rate bound on the injected clock, the audit, and the races of replicas and crashes.
 * The scheduled worker is off in tests (poller.bulk.enabled); each test drives {@link BulkWorker}.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class BulkActionsTest {

  private static final String REASON = "AMC maintenance window: re-run tomorrow";

  @Inject Fixtures fixtures;
  @Inject AmcSimulator simulator;
  @Inject TestClock clock;
  @Inject BulkWorker worker;

  @BeforeEach
  void clean() {
    fixtures.reset();
  }

  /** {@code count} executions tracked at AMC, running there for two hours (PENDING here). */
  private List<UUID> running(String workflowId, int count) {
    return running(fixtures.savedWorkflow(workflowId), workflowId, count);
  }

  private List<UUID> running(UUID workflow, String workflowId, int count) {
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String remote =
          simulator.preload(
              Fixtures.INSTANCE,
              workflowId,
              ExecutionScript.succeeds(Duration.ZERO, Duration.ofHours(2), 1));
      ids.add(fixtures.track(workflow, remote));
    }
    return ids;
  }

  private static Response post(String path, Map<String, Object> body) {
    return operator().contentType(ContentType.JSON).body(body).post(path);
  }

  private static Map<String, Object> byWorkflow(String workflowId) {
    return Map.of("filter", Map.of("workflow", workflowId));
  }

  private static Map<String, Object> confirmed(Map<String, Object> selection, int count) {
    Map<String, Object> body = new java.util.HashMap<>(selection);
    body.put("reason", REASON);
    body.put("confirm", count);
    return body;
  }

  private UUID start(String action, Map<String, Object> selection, int count) {
    Response started = post("/api/v1/executions/bulk/" + action, confirmed(selection, count));
    started.then().statusCode(202);
    return UUID.fromString(started.jsonPath().getString("id"));
  }

  private Response job(UUID id) {
    Response job = viewer().get("/api/v1/bulk-jobs/{id}", id);
    job.then().statusCode(200);
    return job;
  }

  @Test
  void shouldPreviewWithoutChangingAnythingAndRefuseAConfirmationTheSelectionOutgrew() {
    List<UUID> first = running("wf_bulk_preview", 3);
    fixtures.update(
        "UPDATE workflow_executions SET status = 'SUCCESS' WHERE id = '" + first.get(2) + "'");
    long events = fixtures.count("SELECT count(*) FROM execution_events");

    Response preview =
        post("/api/v1/executions/bulk/cancel/preview", byWorkflow("wf_bulk_preview"));
    preview.then().statusCode(200);
    assertThat(preview.jsonPath().getLong("matching")).isEqualTo(3);
    assertThat(preview.jsonPath().getInt("actionable"))
        .as("the finished one is left out")
        .isEqualTo(2);
    assertThat(preview.jsonPath().getMap("matchingByStatus"))
        .containsEntry("PENDING", 2)
        .containsEntry("SUCCESS", 1);
    assertThat(preview.jsonPath().getList("sample", String.class))
        .containsExactlyInAnyOrder(first.get(0).toString(), first.get(1).toString());
    assertThat(fixtures.count("SELECT count(*) FROM execution_events")).isEqualTo(events);
    assertThat(fixtures.count("SELECT count(*) FROM bulk_jobs")).isZero();

    // One more matches now: the count confirmed is stale, so nothing is queued.
    fixtures.track(fixtures.savedWorkflow("wf_bulk_preview_more"), "unused-remote-id").toString();
    fixtures.update(
        "UPDATE workflow_executions SET workflow_id = (SELECT id FROM workflows WHERE"
            + " amc_workflow_id = 'wf_bulk_preview') WHERE amc_execution_id = 'unused-remote-id'");
    Response stale =
        post("/api/v1/executions/bulk/cancel", confirmed(byWorkflow("wf_bulk_preview"), 2));
    stale.then().statusCode(409).contentType("application/problem+json");
    assertThat(stale.jsonPath().getString("detail")).contains("now has 3", "preview again");
    assertThat(fixtures.count("SELECT count(*) FROM bulk_jobs")).isZero();

    Map<String, Object> noReason = new java.util.HashMap<>(byWorkflow("wf_bulk_preview"));
    noReason.put("confirm", 3);
    post("/api/v1/executions/bulk/cancel", noReason).then().statusCode(422);
    noReason.put("reason", " \n\t ");
    post("/api/v1/executions/bulk/cancel", noReason).then().statusCode(422);
    noReason.put("reason", "x".repeat(501));
    post("/api/v1/executions/bulk/cancel", noReason).then().statusCode(422);
    Map<String, Object> unconfirmed = new java.util.HashMap<>(byWorkflow("wf_bulk_preview"));
    unconfirmed.put("reason", REASON);
    post("/api/v1/executions/bulk/cancel", unconfirmed).then().statusCode(422);
    Map<String, Object> both = new java.util.HashMap<>(byWorkflow("wf_bulk_preview"));
    both.put("ids", List.of(first.get(0).toString()));
    post("/api/v1/executions/bulk/cancel/preview", both).then().statusCode(422);
    post("/api/v1/executions/bulk/delete/preview", byWorkflow("x")).then().statusCode(404);
    post("/api/v1/executions/bulk/cancel/preview", Map.of("filter", Map.of("errorType", "NOPE")))
        .then()
        .statusCode(400);
    assertThat(fixtures.count("SELECT count(*) FROM bulk_jobs")).isZero();

    events = fixtures.count("SELECT count(*) FROM execution_events");
    UUID job = start("cancel", byWorkflow("wf_bulk_preview"), 3);
    Response queued = job(job);
    assertThat(queued.jsonPath().getString("state")).isEqualTo("QUEUED");
    assertThat(queued.jsonPath().getInt("total")).isEqualTo(3);
    assertThat(queued.jsonPath().getInt("remaining")).isEqualTo(3);
    assertThat(queued.jsonPath().getString("reason")).isEqualTo(REASON);
    assertThat(queued.jsonPath().getString("operator")).startsWith("operator:");
    assertThat(queued.jsonPath().getString("selection"))
        .isEqualTo("{\"workflow\":\"wf_bulk_preview\"}");
    assertThat(fixtures.count("SELECT count(*) FROM execution_events")).isEqualTo(events);
  }

  @Test
  void shouldActAtTheConfiguredRatePerSecondOfTheInjectedClockAndNeverCatchUpInABurst() {
    running("wf_bulk_rate", 6);
    UUID job = start("check-now", byWorkflow("wf_bulk_rate"), 6);

    // poller.bulk.rate-per-second=2 in tests; time only moves when the test moves it.
    assertThat(worker.runOnce()).as("no time has passed since it was queued").isZero();
    clock.advance(Duration.ofSeconds(1));
    assertThat(worker.runOnce()).isEqualTo(2);
    assertThat(worker.runOnce()).as("the same instant again").isZero();
    clock.advance(Duration.ofMillis(500));
    assertThat(worker.runOnce()).isEqualTo(1);
    clock.advance(Duration.ofMinutes(10));
    assertThat(worker.runOnce()).as("ten idle minutes buy one tick's worth, not 1200").isEqualTo(2);
    assertThat(job(job).jsonPath().getString("state")).isEqualTo("RUNNING");
    assertThat(job(job).jsonPath().getInt("done")).isEqualTo(5);
    clock.advance(Duration.ofSeconds(1));
    worker.runOnce();
    assertThat(job(job).jsonPath().getString("state")).isEqualTo("DONE");
    assertThat(job(job).jsonPath().getString("finishedAt")).isNotNull();
  }

  @Test
  void shouldCancelEachAtAmcAndNameTheOperatorTheJobAndTheReasonInItsEvents() {
    List<UUID> executions = running("wf_bulk_cancel", 2);
    UUID job = start("cancel", Map.of("ids", executions.stream().map(UUID::toString).toList()), 2);
    clock.advance(Duration.ofSeconds(1));
    assertThat(worker.runOnce()).isEqualTo(2);

    Response done = job(job);
    assertThat(done.jsonPath().getString("state")).isEqualTo("DONE");
    assertThat(done.jsonPath().getInt("done")).isEqualTo(2);
    for (UUID execution : executions) {
      assertThat(fixtures.status(execution)).isEqualTo("CANCELLED");
      assertThat(fixtures.events(execution))
          .endsWith("REMOTE_CANCELLED", "TRANSITION PENDING->CANCELLED");
      List<Map<String, Object>> messages =
          fixtures.query(
              "SELECT message FROM execution_events WHERE execution_id = ? AND type IN"
                  + " ('REMOTE_CANCELLED', 'TRANSITION')",
              execution);
      assertThat(messages)
          .extracting(row -> (String) row.get("message"))
          .allSatisfy(
              message ->
                  assertThat(message)
                      .contains("operator:", "bulk job " + job, REASON)
                      .doesNotContain(io.executionpoller.support.Api.OPERATOR_TOKEN));
    }
    assertThat(simulator.executionRecords())
        .filteredOn(record -> "wf_bulk_cancel".equals(record.workflowId()))
        .extracting(AmcSimulator.ExecutionRecord::status)
        .containsOnly("CANCELLED");
  }

  @Test
  void shouldSkipAnExecutionThatFinishedBetweenTheConfirmationAndItsTurnAndGoOn() {
    List<UUID> executions = running("wf_bulk_skip", 3);
    UUID job = start("cancel", byWorkflow("wf_bulk_skip"), 3);
    // One of them finishes meanwhile.
    fixtures.update(
        "UPDATE workflow_executions SET status = 'SUCCESS', completed_at = now() WHERE id = '"
            + executions.get(2)
            + "'");
    clock.advance(Duration.ofSeconds(2));
    assertThat(worker.runOnce()).isEqualTo(2);
    clock.advance(Duration.ofSeconds(1));
    assertThat(worker.runOnce()).isEqualTo(1);

    Response done = job(job);
    assertThat(done.jsonPath().getString("state")).isEqualTo("DONE");
    assertThat(done.jsonPath().getInt("skipped")).isEqualTo(1);
    assertThat(done.jsonPath().getInt("done")).isEqualTo(2);
    assertThat(done.jsonPath().getString("notDone[0].executionId"))
        .isEqualTo(executions.get(2).toString());
    assertThat(done.jsonPath().getString("notDone[0].outcome")).isEqualTo("SKIPPED");
    assertThat(done.jsonPath().getString("notDone[0].message")).contains("execution is SUCCESS");
    assertThat(fixtures.status(executions.get(2))).isEqualTo("SUCCESS");
    assertThat(fixtures.status(executions.get(0))).isEqualTo("CANCELLED");
  }

  @Test
  void shouldRetryFinishedExecutionsOnceAndLeaveOutThoseAlreadyRetried() {
    List<UUID> executions = running("wf_bulk_retry", 3);
    fixtures.update(
        "UPDATE workflow_executions SET status = 'FAILED', error_type = 'QUERY_ERROR'"
            + " WHERE workflow_id = (SELECT id FROM workflows WHERE amc_workflow_id ="
            + " 'wf_bulk_retry')");
    operator().post("/api/v1/executions/{id}/retry", executions.get(0)).then().statusCode(201);
    Map<String, Object> failed =
        Map.of("filter", Map.of("workflow", "wf_bulk_retry", "status", List.of("FAILED")));
    Response preview = post("/api/v1/executions/bulk/retry/preview", failed);
    assertThat(preview.jsonPath().getInt("actionable")).as("one is retried already").isEqualTo(2);
    UUID job = start("retry", failed, 2);
    clock.advance(Duration.ofSeconds(1));
    worker.runOnce();
    assertThat(job(job).jsonPath().getInt("done")).isEqualTo(2);
    assertThat(
            fixtures.count(
                "SELECT count(*) FROM workflow_executions WHERE retry_of = ANY(?)",
                (Object) executions.toArray(UUID[]::new)))
        .isEqualTo(3);
  }

  @Test
  void shouldRefuseEveryBulkChangeToAViewerAndLetThemReadTheJobs() {
    List<UUID> executions = running("wf_bulk_viewer", 1);
    for (String path :
        List.of(
            "/api/v1/executions/bulk/cancel/preview",
            "/api/v1/executions/bulk/cancel",
            "/api/v1/executions/bulk/retry",
            "/api/v1/executions/bulk/check-now")) {
      Response refused =
          viewer()
              .contentType(ContentType.JSON)
              .body(confirmed(byWorkflow("wf_bulk_viewer"), 1))
              .post(path);
      assertThat(refused.statusCode()).as(path).isEqualTo(403);
    }
    UUID job = start("check-now", byWorkflow("wf_bulk_viewer"), 1);
    viewer().post("/api/v1/bulk-jobs/{id}/cancel", job).then().statusCode(403);
    viewer().get("/api/v1/bulk-jobs").then().statusCode(200);
    assertThat(job(job).jsonPath().getString("state")).isEqualTo("QUEUED");
    assertThat(fixtures.events(executions.get(0))).containsExactly("REGISTERED null->PENDING");
  }

  @Test
  void shouldStopACancelledJobBeforeItsNextItem() {
    List<UUID> executions = running("wf_bulk_stop", 3);
    UUID job = start("cancel", byWorkflow("wf_bulk_stop"), 3);
    clock.advance(Duration.ofMillis(500));
    assertThat(worker.runOnce()).isEqualTo(1);
    Response stopped = operator().post("/api/v1/bulk-jobs/{id}/cancel", job);
    stopped.then().statusCode(200);
    assertThat(stopped.jsonPath().getString("state")).isEqualTo("CANCELLED");
    clock.advance(Duration.ofSeconds(5));
    assertThat(worker.runOnce()).isZero();
    assertThat(executions.stream().map(fixtures::status))
        .containsExactlyInAnyOrder("PENDING", "PENDING", "CANCELLED");
    operator().post("/api/v1/bulk-jobs/{id}/cancel", job).then().statusCode(409);
    operator().post("/api/v1/bulk-jobs/{id}/cancel", UUID.randomUUID()).then().statusCode(404);
  }

  /**
   * Replica A is inside an item (its cancel held at AMC) when replica B's worker runs: B must get
   * nothing, or it would begin the same item (its outcome is not recorded yet) and cancel at AMC a
   * second time.
   */
  @Test
  void shouldNeverLetTwoReplicasWorkTheSameItem() throws Exception {
    List<UUID> executions = running("wf_bulk_race", 2);
    UUID job = start("cancel", byWorkflow("wf_bulk_race"), 2);
    simulator.scriptFaults(Operation.CANCEL, AmcSimulator.ANY, List.of(Fault.HELD));
    clock.advance(Duration.ofSeconds(1));

    CompletableFuture<Integer> replicaA =
        CompletableFuture.supplyAsync(() -> worker.runOnce("replica-a"));
    await().atMost(Duration.ofSeconds(30)).until(() -> simulator.heldCalls() == 1);
    assertThat(worker.runOnce("replica-b")).as("the job is replica A's").isZero();
    simulator.releaseHeldCalls();
    assertThat(replicaA.get(60, TimeUnit.SECONDS)).isEqualTo(2);

    assertThat(fixtures.query("SELECT attempts FROM bulk_job_items WHERE job_id = ?", job))
        .extracting(row -> ((Number) row.get("attempts")).intValue())
        .containsOnly(1);
    for (UUID execution : executions) {
      assertThat(fixtures.events(execution))
          .filteredOn(event -> event.startsWith("REMOTE_CANCEL"))
          .containsExactly("REMOTE_CANCELLED");
    }
    assertThat(job(job).jsonPath().getInt("done")).isEqualTo(2);
  }

  /**
   * A worker stopped (a crash) after it cancelled an execution and before it recorded the item.
   * Once its lease has run out another replica begins the item again: the single cancel's guard
   * refuses an execution already CANCELLED, so the item is recorded SKIPPED and AMC is not called.
   */
  @Test
  void shouldNotCancelAtAmcAgainAfterAWorkerStoppedBetweenTheCancelAndItsRecord() {
    List<UUID> executions = running("wf_bulk_crash", 1);
    UUID job = start("cancel", byWorkflow("wf_bulk_crash"), 1);
    // What the stopped worker left: its lease, the item begun, the execution cancelled.
    operator().post("/api/v1/executions/{id}/cancel", executions.get(0)).then().statusCode(200);
    fixtures.update(
        "UPDATE bulk_jobs SET state = 'RUNNING', lease_owner = 'replica-gone',"
            + " lease_expires_at = '"
            + clock.instant().plus(Duration.ofMinutes(5))
            + "' WHERE id = '"
            + job
            + "'");
    fixtures.update("UPDATE bulk_job_items SET attempts = 1 WHERE job_id = '" + job + "'");
    int callsBefore = simulator.totalApiCalls();
    clock.advance(Duration.ofSeconds(1));
    assertThat(worker.runOnce("replica-b")).as("its lease is still live").isZero();

    clock.advance(Duration.ofMinutes(5));
    assertThat(worker.runOnce("replica-b")).isEqualTo(1);

    Response done = job(job);
    assertThat(done.jsonPath().getString("state")).isEqualTo("DONE");
    assertThat(done.jsonPath().getString("notDone[0].outcome")).isEqualTo("SKIPPED");
    assertThat(done.jsonPath().getString("notDone[0].message")).contains("execution is CANCELLED");
    assertThat(simulator.totalApiCalls()).as("no second cancel at AMC").isEqualTo(callsBefore);
    assertThat(fixtures.events(executions.get(0)))
        .filteredOn(event -> event.startsWith("REMOTE_CANCEL"))
        .containsExactly("REMOTE_CANCELLED");
    assertThat(fixtures.count("SELECT attempts FROM bulk_job_items WHERE job_id = ?", job))
        .as("begun twice, worked once")
        .isEqualTo(2);
  }
}
