package io.executionpoller.api;

import static io.executionpoller.support.Api.operator;
import static io.executionpoller.support.Api.viewer;
import static org.assertj.core.api.Assertions.assertThat;

import io.executionpoller.support.Fixtures;
import io.executionpoller.support.PostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * POST /api/v1/executions/backfill against the real database: a dry run stores nothing, a backfill
 * is one all-or-nothing batch, sending it again registers no window twice, and bad input is
 * classified.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class BackfillApiTest {

  @Inject Fixtures fixtures;

  @BeforeEach
  void clean() {
    fixtures.reset();
  }

  @Test
  void shouldPreviewTheWindowsWithoutStoringAnything() {
    UUID workflow = fixtures.savedWorkflow("wf_backfill_preview");

    JsonPath preview =
        send(body(workflow, "2024-01-31", "2024-04-15", "monthly", true))
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();

    assertThat(preview.getBoolean("dryRun")).isTrue();
    assertThat(preview.getInt("windowCount")).isEqualTo(3);
    assertThat(preview.getList("windows.start", String.class))
        .containsExactly("2024-01-31T00:00:00", "2024-02-29T00:00:00", "2024-03-31T00:00:00");
    assertThat(preview.getList("windows.end", String.class))
        .containsExactly("2024-02-29T00:00:00", "2024-03-31T00:00:00", "2024-04-15T00:00:00");
    assertThat(preview.getList("windows.partial", Boolean.class))
        .containsExactly(false, false, true);
    assertThat(preview.getString("windows[0].idempotencyKey"))
        .isEqualTo("backfill:" + workflow + ":2024-01-31T00:00:00/2024-02-29T00:00:00");
    assertThat(preview.getString("registration")).isNull();
    assertThat(fixtures.count("SELECT count(*) FROM workflow_executions")).isZero();
    assertThat(fixtures.count("SELECT count(*) FROM execution_idempotency_keys")).isZero();
  }

  @Test
  void shouldRegisterOneExecutionPerWindowAndNothingTwiceWhenSentAgain() {
    UUID workflow = fixtures.savedWorkflow("wf_backfill_daily");
    Map<String, Object> body = body(workflow, "2024-02-27", "2024-03-02", "DAILY", false);
    body.put("parameterValues", Map.of("day", "{windowStart}", "country", "US"));
    body.put("reason", "recompute after the February outage");

    JsonPath first = send(body).then().statusCode(200).extract().jsonPath();

    assertThat(first.getInt("windowCount")).isEqualTo(4);
    assertThat(first.getInt("alreadyRegistered")).isZero();
    assertThat(first.getList("registration.items.status", Integer.class))
        .containsExactly(201, 201, 201, 201);
    assertThat(fixtures.count("SELECT count(*) FROM workflow_executions")).isEqualTo(4);
    UUID leapDay = UUID.fromString(first.getString("registration.items[2].executionId"));
    JsonPath stored =
        operator()
            .get("/api/v1/executions/{id}", leapDay)
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    assertThat(stored.getString("timeWindow.type")).isEqualTo("EXPLICIT");
    assertThat(stored.getString("timeWindow.start")).isEqualTo("2024-02-29T00:00:00");
    assertThat(stored.getString("timeWindow.end")).isEqualTo("2024-03-01T00:00:00");
    assertThat(stored.getString("timeWindow.timeZone")).isEqualTo("UTC");
    assertThat(stored.getMap("parameterValues"))
        .isEqualTo(Map.of("day", "2024-02-29T00:00:00", "country", "US"));
    assertThat(
            fixtures.query("SELECT message FROM execution_events WHERE execution_id = ?", leapDay))
        .extracting(row -> (String) row.get("message"))
        .singleElement()
        .asString()
        .contains("backfill daily 2024-02-27 .. 2024-03-02 by operator")
        .endsWith(": recompute after the February outage");

    // The same backfill again, and one overlapping it by a day: the shared window replays.
    JsonPath again = send(body).then().statusCode(200).extract().jsonPath();
    assertThat(again.getInt("alreadyRegistered")).isEqualTo(4);
    assertThat(again.getList("registration.items.status", Integer.class))
        .containsExactly(200, 200, 200, 200);
    assertThat(again.getList("registration.items.executionId", String.class))
        .isEqualTo(first.getList("registration.items.executionId", String.class));
    Map<String, Object> overlapping = new LinkedHashMap<>(body);
    overlapping.put("from", "2024-03-01");
    overlapping.put("to", "2024-03-04");
    JsonPath wider = send(overlapping).then().statusCode(200).extract().jsonPath();
    assertThat(wider.getList("windows.registered", Boolean.class))
        .containsExactly(true, false, false);
    assertThat(wider.getList("registration.items.status", Integer.class))
        .containsExactly(200, 201, 201);
    assertThat(wider.getString("registration.items[0].executionId"))
        .isEqualTo(first.getString("registration.items[3].executionId"));
    assertThat(fixtures.count("SELECT count(*) FROM workflow_executions")).isEqualTo(6);
  }

  @Test
  void shouldStoreNoWindowWhenOneIsRefused() {
    UUID workflow = fixtures.savedWorkflow("wf_backfill_atomic");
    Map<String, Object> body = body(workflow, "2024-05-01", "2024-05-04", "DAILY", false);
    // Another registration already used the middle window's key with another body: that window
    // is refused (422), so none of the three is stored.
    operator()
        .contentType(ContentType.JSON)
        .body(
            Map.of(
                "registrations",
                List.of(
                    BatchRegistrationTest.item(
                        "backfill:" + workflow + ":2024-05-02T00:00:00/2024-05-03T00:00:00",
                        workflow,
                        Map.of("other", "body"),
                        null))))
        .post("/api/v1/executions/batch")
        .then()
        .statusCode(200);

    JsonPath refused = send(body).then().statusCode(422).extract().jsonPath();

    assertThat(refused.getBoolean("registration.stored")).isFalse();
    assertThat(refused.getList("registration.items.status", Integer.class))
        .containsExactly(424, 422, 424);
    assertThat(fixtures.count("SELECT count(*) FROM workflow_executions")).isEqualTo(1);
    assertThat(fixtures.count("SELECT count(*) FROM execution_idempotency_keys")).isEqualTo(1);
  }

  @Test
  void shouldRefuseAViewerEvenADryRun() {
    UUID workflow = fixtures.savedWorkflow("wf_backfill_viewer");
    viewer()
        .contentType(ContentType.JSON)
        .body(body(workflow, "2024-01-01", "2024-01-03", "DAILY", true))
        .post("/api/v1/executions/backfill")
        .then()
        .statusCode(403);
    assertThat(fixtures.count("SELECT count(*) FROM workflow_executions")).isZero();
  }

  @ParameterizedTest(name = "{0} {1} {2} -> {3}")
  @CsvSource(
      nullValues = "null",
      value = {
        "null, 2024-01-02, DAILY, 400",
        "2024-01-01, 2024/01/02, DAILY, 400",
        "2024-01-01, 2024-01-02, HOURLY, 400",
        "2024-01-01, 2024-02-30, DAILY, 400",
        "2024-01-02, 2024-01-02, DAILY, 422",
        "2024-01-03, 2024-01-02, WEEKLY, 422",
        "2020-01-01, 2024-01-01, DAILY, 422",
      })
  void shouldClassifyBadRanges(String from, String to, String period, int status) {
    UUID workflow = fixtures.savedWorkflow("wf_backfill_bad");
    Map<String, Object> body = body(workflow, from, to, period, false);
    send(body).then().statusCode(status).contentType(ApiProblem.PROBLEM_JSON);
    assertThat(fixtures.count("SELECT count(*) FROM workflow_executions")).isZero();
  }

  @Test
  void shouldClassifyABadTemplateReasonOrWorkflow() {
    UUID workflow = fixtures.savedWorkflow("wf_backfill_template");
    Map<String, Object> template = body(workflow, "2024-01-01", "2024-01-03", "DAILY", false);
    template.put("parameterValues", Map.of("", "{windowStart}"));
    send(template)
        .then()
        .statusCode(400)
        .body("detail", org.hamcrest.Matchers.containsString("parameterValues"));
    Map<String, Object> reason = body(workflow, "2024-01-01", "2024-01-03", "DAILY", false);
    reason.put("reason", "x".repeat(501));
    send(reason).then().statusCode(400);
    send(body(UUID.randomUUID(), "2024-01-01", "2024-01-03", "DAILY", true)).then().statusCode(404);
    operator()
        .contentType(ContentType.JSON)
        .body("{\"workflowId\": 12}")
        .post("/api/v1/executions/backfill")
        .then()
        .statusCode(400);
    assertThat(fixtures.count("SELECT count(*) FROM workflow_executions")).isZero();
  }

  private static Map<String, Object> body(
      UUID workflow, String from, String to, String period, boolean dryRun) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("workflowId", workflow.toString());
    if (from != null) {
      body.put("from", from);
    }
    body.put("to", to);
    body.put("period", period);
    body.put("dryRun", dryRun);
    return body;
  }

  private static Response send(Map<String, Object> body) {
    return operator().contentType(ContentType.JSON).body(body).post("/api/v1/executions/backfill");
  }
}
