package io.executionpoller.api;

import static io.executionpoller.support.Api.operator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import io.executionpoller.support.Fixtures;
import io.executionpoller.support.PostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The registration API against the real database: happy paths and every rejection. */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class RegistrationApiTest {

  @Inject Fixtures fixtures;

  @BeforeEach
  void clean() {
    fixtures.reset();
  }

  @Test
  void shouldRegisterASavedWorkflowAndReuseItsAccountAndInstance() {
    Map<String, Object> body =
        Map.of(
            "instanceId", "amcinst01",
            "advertiserId", "ENTITY1AA1AA11AAA1",
            "marketplaceId", "ATVPDKIKX0DER",
            "workflowId", "weekly_reach",
            "name", "Weekly reach",
            "maxRuntimeSeconds", 7200,
            "warningThresholdSeconds", 5760);
    operator()
        .contentType(ContentType.JSON)
        .body(body)
        .post("/api/v1/workflows")
        .then()
        .statusCode(201)
        .header("Location", containsString("/api/v1/workflows/"))
        .body("workflowId", equalTo("weekly_reach"))
        .body("instanceId", equalTo("amcinst01"))
        .body("advertiserId", equalTo("ENTITY1AA1AA11AAA1"))
        .body("maxRuntimeSeconds", equalTo(7200))
        .body("sqlQuery", nullValue());
    operator()
        .contentType(ContentType.JSON)
        .body(body)
        .post("/api/v1/workflows")
        .then()
        .statusCode(201);

    assertThat(fixtures.count("SELECT count(*) FROM amc_accounts")).isEqualTo(1);
    assertThat(fixtures.count("SELECT count(*) FROM amc_instances")).isEqualTo(1);
    assertThat(fixtures.count("SELECT count(*) FROM workflows")).isEqualTo(2);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{}",
        "{\"instanceId\":\"i1\",\"advertiserId\":\"A\",\"marketplaceId\":\"M\"}",
        "{\"instanceId\":\"i1\",\"advertiserId\":\"A\",\"marketplaceId\":\"M\",\"workflowId\":\"w\",\"sqlQuery\":\"SELECT 1\"}",
        "{\"instanceId\":\"../../etc\",\"advertiserId\":\"A\",\"marketplaceId\":\"M\",\"workflowId\":\"w\"}",
        "{\"instanceId\":\"i1\",\"advertiserId\":\"A\",\"marketplaceId\":\"M\",\"workflowId\":\"w x\"}",
        "{\"instanceId\":\"i1\",\"advertiserId\":\"A\",\"marketplaceId\":\"M\",\"workflowId\":\"w\",\"maxRuntimeSeconds\":60,\"warningThresholdSeconds\":60}",
        "{\"instanceId\":\"i1\",\"advertiserId\":\"A\",\"marketplaceId\":\"M\",\"workflowId\":\"w\",\"maxRuntimeSeconds\":-5}",
        "{\"instanceId\":\"i1\",\"advertiserId\":\"A\",\"marketplaceId\":\"M\",\"workflowId\":\"w\",\"apiBaseUrl\":\"https://user:pw@evil.example/?x=1\"}",
        "{\"instanceId\":\"i1\",\"advertiserId\":\"A\",\"marketplaceId\":\"M\",\"workflowId\":\"w\",\"maxRuntimeSeconds\":\"soon\"}",
        "{not json"
      })
  void shouldRejectABadWorkflowWithAProblemDocument(String body) {
    operator()
        .contentType(ContentType.JSON)
        .body(body)
        .post("/api/v1/workflows")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("status", equalTo(400))
        .body("detail", notNullValue());
    assertThat(fixtures.count("SELECT count(*) FROM workflows")).isZero();
  }

  @Test
  void shouldRegisterAnExecutionAsPendingWithAnAuditEntryAndShowIt() {
    UUID workflow =
        fixtures.adHocWorkflow("SELECT campaign, SUM(impressions) FROM dsp_impressions GROUP BY 1");
    String id =
        operator()
            .contentType(ContentType.JSON)
            .body(
                Map.of(
                    "workflowId", workflow.toString(),
                    "parameterValues", Map.of("country", "US"),
                    "timeWindow",
                        Map.of(
                            "type",
                            "EXPLICIT",
                            "start",
                            "2026-11-01T00:00:00",
                            "end",
                            "2026-11-08T00:00:00",
                            "timeZone",
                            "America/New_York")))
            .post("/api/v1/executions")
            .then()
            .statusCode(201)
            .body("status", equalTo("PENDING"))
            .body("amcExecutionId", nullValue())
            .body("parameterValues.country", equalTo("US"))
            .body("timeWindow.type", equalTo("EXPLICIT"))
            .extract()
            .path("id");

    operator()
        .get("/api/v1/executions/" + id)
        .then()
        .statusCode(200)
        .body("id", equalTo(id))
        .body("workflowId", equalTo(workflow.toString()))
        .body("status", equalTo("PENDING"))
        .body("pollCount", equalTo(0))
        .body("nextPollAt", notNullValue());
    assertThat(fixtures.events(UUID.fromString(id))).containsExactly("REGISTERED null->PENDING");
  }

  @Test
  void shouldRefuseToTrackTheSameRemoteExecutionTwice() {
    UUID workflow = fixtures.savedWorkflow("wf_dup");
    fixtures.track(workflow, "a111111c-111f-1111-b1f1-11d111f1c1d1");
    operator()
        .contentType(ContentType.JSON)
        .body(
            Map.of(
                "workflowId",
                workflow.toString(),
                "amcExecutionId",
                "a111111c-111f-1111-b1f1-11d111f1c1d1"))
        .post("/api/v1/executions")
        .then()
        .statusCode(409)
        .contentType("application/problem+json");
    assertThat(fixtures.count("SELECT count(*) FROM workflow_executions")).isEqualTo(1);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{}",
        "{\"workflowId\":\"not-a-uuid\"}",
        "{\"workflowId\":\"%s\",\"amcExecutionId\":\"a/../b\"}",
        "{\"workflowId\":\"%s\",\"timeWindow\":{\"type\":\"SOMETIMES\"}}",
        "{\"workflowId\":\"%s\",\"timeWindow\":{\"type\":\"EXPLICIT\"}}",
        "{\"workflowId\":\"%s\",\"timeWindow\":{\"type\":\"MOST_RECENT_DAY\",\"start\":\"2026-11-01T00:00:00\"}}",
        "{\"workflowId\":\"%s\",\"timeWindow\":{\"type\":\"EXPLICIT\",\"start\":\"yesterday\",\"end\":\"today\"}}",
        "{\"workflowId\":\"%s\",\"parameterValues\":{\"\":\"x\"}}"
      })
  void shouldRejectABadExecutionWithAProblemDocument(String template) {
    UUID workflow = fixtures.savedWorkflow("wf_ok");
    operator()
        .contentType(ContentType.JSON)
        .body(template.formatted(workflow))
        .post("/api/v1/executions")
        .then()
        .statusCode(400)
        .contentType("application/problem+json");
    assertThat(fixtures.count("SELECT count(*) FROM workflow_executions")).isZero();
  }

  @Test
  void shouldAnswerNotFoundForUnknownWorkflowsAndExecutionsAndBadRequestForBadIds() {
    operator()
        .contentType(ContentType.JSON)
        .body(Map.of("workflowId", UUID.randomUUID().toString()))
        .post("/api/v1/executions")
        .then()
        .statusCode(404)
        .contentType("application/problem+json");
    operator().get("/api/v1/executions/" + UUID.randomUUID()).then().statusCode(404);
    operator().get("/api/v1/executions/' OR 1=1 --").then().statusCode(400);
  }
}
