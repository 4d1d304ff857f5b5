package io.executionpoller.stuck;

import static io.executionpoller.support.Api.viewer;
import static org.assertj.core.api.Assertions.assertThat;

import io.executionpoller.support.ExecutionRows;
import io.executionpoller.support.Fixtures;
import io.executionpoller.support.PostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each stuck reason is detected, listed with its reason and counted by the gauge; healthy
 * executions are not listed. Rows are put in each state directly, relative to the test clock.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class StuckDetectionTest {

  @Inject Fixtures fixtures;
  @Inject ExecutionRows rows;
  @Inject StuckGauge gauge;

  private UUID workflow;

  @BeforeEach
  void clean() {
    fixtures.reset();
    workflow = fixtures.savedWorkflow("wf_stuck");
  }

  @Test
  void shouldListNothingWhenEverythingIsHealthy() {
    fixtures.submit(workflow);
    UUID running = fixtures.submit(workflow);
    rows.set(
        running,
        "status = 'RUNNING', started_at = %s, last_polled_at = %s",
        rows.ago(30),
        rows.ago(0));
    UUID succeeded = fixtures.submit(workflow);
    rows.set(
        succeeded,
        "status = 'SUCCESS', started_at = %s, completed_at = %s",
        rows.ago(50),
        rows.ago(5));
    rows.result(succeeded, "STORED", rows.ago(5));

    Response answer = viewer().get("/api/v1/executions/stuck");

    answer.then().statusCode(200);
    assertThat(answer.jsonPath().getInt("count")).isZero();
    gauge.refresh();
    for (StuckReason reason : StuckReason.values()) {
      assertThat(gauge.current(reason)).as(reason.name()).isZero();
    }
  }

  @Test
  void shouldDetectListAndCountEachReason() {
    Map<StuckReason, UUID> expected = rows.oneStuckPerReason(workflow, 3, "HTTP 500");

    Response answer = viewer().get("/api/v1/executions/stuck");

    answer.then().statusCode(200);
    List<Map<String, Object>> listed = answer.jsonPath().getList("executions");
    assertThat(listed).hasSize(expected.size());
    for (Map<String, Object> row : listed) {
      StuckReason reason = StuckReason.valueOf((String) row.get("reason"));
      assertThat(row.get("executionId"))
          .as(reason.name())
          .isEqualTo(expected.get(reason).toString());
      assertThat(row.get("since")).isNotNull();
      assertThat(row.get("detail")).isNotNull();
    }
    assertThat(answer.jsonPath().getList("executions.since", String.class))
        .as("longest-stuck first")
        .isSorted();
    assertThat(
            answer
                .jsonPath()
                .getString("executions.find { it.reason == 'FAILING_CHECKS' }.lastError"))
        .isEqualTo("HTTP 500");
    assertThat(
            answer
                .jsonPath()
                .getString("executions.find { it.reason == 'LEASE_EXPIRED' }.leaseOwner"))
        .isEqualTo("replica-dead");
    assertThat(
            answer
                .jsonPath()
                .getString("executions.find { it.reason == 'RESULT_FAILED' }.resultStatus"))
        .isEqualTo("FAILED");

    gauge.refresh();
    for (StuckReason reason : StuckReason.values()) {
      assertThat(gauge.current(reason)).as(reason.name()).isEqualTo(1);
    }
    assertThat(
            viewer()
                .queryParam("limit", 3)
                .get("/api/v1/executions/stuck")
                .jsonPath()
                .getInt("count"))
        .isEqualTo(3);
  }

  @Test
  void shouldRefuseABadLimit() {
    for (String bad : List.of("0", "1001", "abc", "-5")) {
      viewer()
          .queryParam("limit", bad)
          .get("/api/v1/executions/stuck")
          .then()
          .statusCode(400)
          .contentType("application/problem+json");
    }
  }
}
