package io.executionpoller.api;

import static io.executionpoller.support.Api.operator;
import static org.assertj.core.api.Assertions.assertThat;

import io.agroal.api.AgroalDataSource;
import io.executionpoller.support.Fixtures;
import io.executionpoller.support.PostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * POST /api/v1/executions/batch against the real database: all or nothing, one answer per item, and
 * each item's Idempotency-Key kept as the single registration keeps it.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class BatchRegistrationTest {

  private static final String REMOTE_ID = "c333333d-333f-3333-c3f3-33d333f3c3d3";

  @Inject Fixtures fixtures;
  @Inject AgroalDataSource dataSource;

  @BeforeEach
  void clean() {
    fixtures.reset();
  }

  @Test
  void shouldStoreEveryItemWithItsRegisteredEventAndAnswerEachInOrder() {
    UUID workflow = fixtures.savedWorkflow("wf_batch");
    List<Map<String, Object>> items =
        List.of(
            item("day-1", workflow, Map.of("country", "US"), window("2026-11-01", "2026-11-02")),
            item("day-2", workflow, null, window("2026-11-02", "2026-11-03")),
            tracking("tracked-1", workflow, REMOTE_ID));

    JsonPath answer = send(items).then().statusCode(200).extract().jsonPath();

    assertThat(answer.getBoolean("stored")).isTrue();
    assertThat(answer.getInt("created")).isEqualTo(3);
    assertThat(answer.getList("items.status", Integer.class)).containsExactly(201, 201, 201);
    assertThat(answer.getList("items.idempotencyKey", String.class))
        .containsExactly("day-1", "day-2", "tracked-1");
    String first = answer.getString("items[0].executionId");
    JsonPath stored =
        operator()
            .get("/api/v1/executions/{id}", first)
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    assertThat(stored.getString("status")).isEqualTo("PENDING");
    assertThat(stored.getMap("parameterValues")).isEqualTo(Map.of("country", "US"));
    assertThat(stored.getString("timeWindow.start")).isEqualTo("2026-11-01T00:00:00");
    assertThat(fixtures.events(UUID.fromString(first))).containsExactly("REGISTERED null->PENDING");
    String tracked = answer.getString("items[2].executionId");
    assertThat(fixtures.execution(UUID.fromString(tracked)).get("amc_execution_id"))
        .isEqualTo(REMOTE_ID);
    assertThat(
            fixtures.count(
                "SELECT count(*) FROM execution_events WHERE type = 'REGISTERED'"
                    + " AND to_status = 'PENDING' AND message = 'tracking an existing remote"
                    + " execution' AND amc_execution_id = '"
                    + REMOTE_ID
                    + "'"))
        .isEqualTo(1);
    assertThat(fixtures.count("SELECT count(*) FROM execution_idempotency_keys")).isEqualTo(3);
  }

  @Test
  void shouldStoreNothingWhenOneItemIsRefusedAndSayWhyForEachItem() {
    UUID workflow = fixtures.savedWorkflow("wf_batch_refused");
    UUID unknown = UUID.randomUUID();
    List<Map<String, Object>> items =
        List.of(
            item("ok-1", workflow, null, window("2026-11-01", "2026-11-02")),
            item("unknown-1", unknown, null, null),
            tracking("ok-2", workflow, REMOTE_ID));

    JsonPath answer = send(items).then().statusCode(422).extract().jsonPath();

    assertThat(answer.getBoolean("stored")).isFalse();
    assertThat(answer.getInt("refused")).isEqualTo(1);
    assertThat(answer.getList("items.status", Integer.class)).containsExactly(424, 404, 424);
    assertThat(answer.getString("items[1].detail")).contains(unknown.toString());
    assertThat(answer.getString("items[0].detail")).contains("item 1 was refused");
    assertThat(fixtures.count("SELECT count(*) FROM workflow_executions")).isZero();
    assertThat(fixtures.count("SELECT count(*) FROM execution_events")).isZero();
    // The keys taken before the refusal were rolled back with it.
    assertThat(fixtures.count("SELECT count(*) FROM execution_idempotency_keys")).isZero();

    JsonPath invalid =
        send(List.of(
                item("ok-1", workflow, null, null),
                item(null, workflow, null, null),
                item("ok-1", workflow, null, null),
                item("bad-window", workflow, null, Map.of("type", "YESTERDAY"))))
            .then()
            .statusCode(422)
            .extract()
            .jsonPath();
    assertThat(invalid.getList("items.status", Integer.class)).containsExactly(424, 400, 400, 400);
    assertThat(invalid.getString("items[1].detail")).contains("idempotencyKey is required");
    assertThat(invalid.getString("items[2].detail")).contains("repeats the key of item 0");
    assertThat(fixtures.count("SELECT count(*) FROM workflow_executions")).isZero();
  }

  @Test
  void shouldReplayEachKeyAndRefuseAKeyReusedWithAnotherRegistration() {
    UUID workflow = fixtures.savedWorkflow("wf_batch_keys");
    List<Map<String, Object>> items =
        List.of(
            item("week-1", workflow, null, window("2026-11-02", "2026-11-09")),
            item("week-2", workflow, null, window("2026-11-09", "2026-11-16")));
    JsonPath first = send(items).then().statusCode(200).extract().jsonPath();

    JsonPath again =
        send(List.of(
                items.get(0),
                items.get(1),
                item("week-3", workflow, null, window("2026-11-16", "2026-11-23"))))
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();

    assertThat(again.getList("items.status", Integer.class)).containsExactly(200, 200, 201);
    assertThat(again.getInt("replayed")).isEqualTo(2);
    assertThat(again.getString("items[0].executionId"))
        .isEqualTo(first.getString("items[0].executionId"));
    assertThat(again.getString("items[1].executionId"))
        .isEqualTo(first.getString("items[1].executionId"));
    assertThat(fixtures.count("SELECT count(*) FROM workflow_executions")).isEqualTo(3);

    JsonPath reused =
        send(List.of(item("week-1", workflow, null, window("2026-12-01", "2026-12-08"))))
            .then()
            .statusCode(422)
            .extract()
            .jsonPath();
    assertThat(reused.getList("items.status", Integer.class)).containsExactly(422);
    assertThat(fixtures.count("SELECT count(*) FROM workflow_executions")).isEqualTo(3);

    // A key of the single registration is the same key here: same body, same execution.
    String single =
        operator()
            .contentType(ContentType.JSON)
            .header("Idempotency-Key", "\"single-1\"")
            .body(Map.of("workflowId", workflow.toString()))
            .post("/api/v1/executions")
            .then()
            .statusCode(201)
            .extract()
            .path("id");
    JsonPath replayedSingle =
        send(List.of(item("single-1", workflow, null, null)))
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    assertThat(replayedSingle.getString("items[0].executionId")).isEqualTo(single);
  }

  @Test
  void shouldRefuseRemoteExecutionsTrackedAlreadyOrTwiceInTheBatch() {
    UUID workflow = fixtures.savedWorkflow("wf_batch_tracked");
    UUID existing = fixtures.track(workflow, REMOTE_ID);

    JsonPath tracked =
        send(List.of(tracking("t-1", workflow, REMOTE_ID)))
            .then()
            .statusCode(422)
            .extract()
            .jsonPath();
    assertThat(tracked.getList("items.status", Integer.class)).containsExactly(409);
    assertThat(tracked.getString("items[0].detail")).contains(existing.toString());

    JsonPath twice =
        send(List.of(tracking("t-2", workflow, "run-2"), tracking("t-3", workflow, "run-2")))
            .then()
            .statusCode(422)
            .extract()
            .jsonPath();
    assertThat(twice.getList("items.status", Integer.class)).containsExactly(424, 409);
    assertThat(fixtures.count("SELECT count(*) FROM workflow_executions")).isEqualTo(1);
  }

  @Test
  void shouldRefuseAnEmptyOrOversizedBatchWhole() {
    UUID workflow = fixtures.savedWorkflow("wf_batch_size");
    send(List.of()).then().statusCode(400);
    List<Map<String, Object>> tooMany = new ArrayList<>();
    for (int i = 0; i <= 1000; i++) {
      tooMany.add(item("k-" + i, workflow, null, null));
    }
    send(tooMany).then().statusCode(400);

    List<Map<String, Object>> most = new ArrayList<>(tooMany.subList(0, 1000));
    JsonPath stored = send(most).then().statusCode(200).extract().jsonPath();
    assertThat(stored.getInt("created")).isEqualTo(1000);
    assertThat(fixtures.count("SELECT count(*) FROM workflow_executions")).isEqualTo(1000);
    assertThat(fixtures.count("SELECT count(*) FROM execution_events")).isEqualTo(1000);
  }

  /**
   * A single registration has taken an item's key and not committed yet: the batch waits on the key
   * row and, once it commits, answers that item with the single registration's execution. Without
   * the expiry guard on the key's upsert, the batch would take the key over and register the work
   * twice.
   */
  @Test
  void shouldAnswerAnItemWithTheExecutionOfAFirstUseThatCommitsWhileTheBatchWaits()
      throws Exception {
    UUID workflow = fixtures.savedWorkflow("wf_batch_wait");
    UUID first = UUID.randomUUID();
    CompletableFuture<Response> batch;
    try (Connection holder = dataSource.getConnection()) {
      holder.setAutoCommit(false);
      HeldFirstUse.write(holder, "held-1", workflow, first);
      batch =
          CompletableFuture.supplyAsync(
              () ->
                  send(
                      List.of(
                          item("free-1", workflow, null, null),
                          item("held-1", workflow, null, null))));
      fixtures.awaitLockWaiters(1);
      holder.commit();
    }

    Response response = batch.get(60, TimeUnit.SECONDS);
    assertThat(response.statusCode()).as(response.asString()).isEqualTo(200);
    assertThat(response.jsonPath().getList("items.status", Integer.class))
        .containsExactly(201, 200);
    assertThat(response.jsonPath().getString("items[1].executionId")).isEqualTo(first.toString());
    assertThat(fixtures.count("SELECT count(*) FROM workflow_executions")).isEqualTo(2);
  }

  @Test
  void shouldSubscribeAnItemsCallbackUrlToItsExecutionAloneAndRefuseATargetItMayNotReach()
      throws Exception {
    UUID workflow = fixtures.savedWorkflow("wf_batch_callback");
    Map<String, Object> withCallback = item("cb-1", workflow, null, null);
    withCallback.put("callbackUrl", "http://127.0.0.1:9/cb");
    Map<String, Object> refusedTarget = item("cb-2", workflow, null, null);
    refusedTarget.put("callbackUrl", "https://example.com/cb");

    JsonPath refused =
        send(List.of(withCallback, refusedTarget)).then().statusCode(422).extract().jsonPath();
    assertThat(refused.getList("items.status", Integer.class)).containsExactly(424, 400);
    assertThat(refused.getString("items[1].detail")).startsWith("callbackUrl: ");
    assertThat(fixtures.count("SELECT count(*) FROM webhook_subscriptions")).isZero();

    Map<String, Object> without = item("cb-3", workflow, null, null);
    JsonPath stored =
        send(List.of(withCallback, without)).then().statusCode(200).extract().jsonPath();
    assertThat(stored.getString("items[0].callbackSecret")).startsWith("whsec_");
    assertThat(stored.getString("items[1].callbackSecret")).isNull();
    UUID called = UUID.fromString(stored.getString("items[0].executionId"));
    UUID other = UUID.fromString(stored.getString("items[1].executionId"));
    assertThat(
            fixtures.count(
                "SELECT count(*) FROM webhook_subscriptions WHERE execution_id = ?"
                    + " AND url = 'http://127.0.0.1:9/cb'",
                called))
        .isEqualTo(1);

    try (Connection connection = dataSource.getConnection()) {
      for (UUID id : List.of(called, other)) {
        io.executionpoller.execution.EventRows.insert(
            connection,
            id,
            java.time.Instant.now(),
            io.executionpoller.execution.EventType.TRANSITION,
            io.executionpoller.execution.ExecutionStatus.PENDING,
            io.executionpoller.execution.ExecutionStatus.CANCELLED,
            null,
            "r");
      }
    }
    assertThat(
            fixtures.count(
                "SELECT count(*) FROM webhook_deliveries WHERE execution_id = ?", called))
        .isEqualTo(1);
    assertThat(
            fixtures.count("SELECT count(*) FROM webhook_deliveries WHERE execution_id = ?", other))
        .isZero();

    // The same item again is a replay: no second subscription, and the secret is not shown again.
    JsonPath replay = send(List.of(withCallback)).then().statusCode(200).extract().jsonPath();
    assertThat(replay.getList("items.status", Integer.class)).containsExactly(200);
    assertThat(replay.getString("items[0].callbackSecret")).isNull();
    assertThat(fixtures.count("SELECT count(*) FROM webhook_subscriptions")).isEqualTo(1);
    // The callbackUrl is part of the registration: the key with another callback is refused.
    Map<String, Object> otherCallback = item("cb-1", workflow, null, null);
    otherCallback.put("callbackUrl", "http://127.0.0.1:9/other");
    send(List.of(otherCallback))
        .then()
        .statusCode(422)
        .body("items[0].status", org.hamcrest.Matchers.is(422));
  }

  static Map<String, Object> item(
      String key, UUID workflow, Map<String, String> parameters, Map<String, String> window) {
    Map<String, Object> item = new LinkedHashMap<>();
    if (key != null) {
      item.put("idempotencyKey", key);
    }
    item.put("workflowId", workflow.toString());
    if (parameters != null) {
      item.put("parameterValues", parameters);
    }
    if (window != null) {
      item.put("timeWindow", window);
    }
    return item;
  }

  private static Map<String, Object> tracking(String key, UUID workflow, String remoteId) {
    Map<String, Object> item = item(key, workflow, null, null);
    item.put("amcExecutionId", remoteId);
    return item;
  }

  private static Map<String, String> window(String startDay, String endDay) {
    return Map.of("type", "EXPLICIT", "start", startDay + "T00:00:00", "end", endDay + "T00:00:00");
  }

  private static Response send(List<Map<String, Object>> items) {
    return operator()
        .contentType(ContentType.JSON)
        .body(Map.of("registrations", items))
        .post("/api/v1/executions/batch");
  }
}
