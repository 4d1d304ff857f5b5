package io.executionpoller.api;

import static io.executionpoller.support.Api.operator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import io.executionpoller.remote.FreshRemoteState;
import io.executionpoller.simulator.AmcSimulator;
import io.executionpoller.simulator.ExecutionScript;
import io.executionpoller.simulator.SimulatedQuotas;
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

/** Validation before spending a run: the workflow's create sent to AMC with dryRun. */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class WorkflowValidationTest {

  @Inject Fixtures fixtures;
  @Inject AmcSimulator simulator;

  @BeforeEach
  void clean() {
    fixtures.reset();
  }

  @Test
  void shouldAnswerValidForAQueryAmcAcceptsWithoutRunningItOrSpendingAQuota() {
    simulator.enforceQuotas(new SimulatedQuotas(10, 200, 0));
    UUID workflow =
        fixtures.adHocWorkflow("SELECT campaign_id, SUM(impressions) FROM t GROUP BY 1");

    operator()
        .post("/api/v1/workflows/" + workflow + "/validate")
        .then()
        .statusCode(200)
        .body("valid", equalTo(true))
        .body("errorType", nullValue())
        .body("message", nullValue());

    assertThat(simulator.createCalls()).as("one dry run reached AMC").isEqualTo(1);
    assertThat(simulator.executionRecords()).as("nothing was run").isEmpty();
    assertThat(simulator.quotaBreaches()).as("a dry run spends no quota").isZero();
  }

  @Test
  void shouldAnswerAmcsClassifiedErrorForAnInvalidQuery() {
    String query = "SELECT campaign_id FORM t";
    simulator.rejectQuery(query, ExecutionScript.QUERY_ERROR);
    UUID workflow = fixtures.adHocWorkflow(query);

    operator()
        .post("/api/v1/workflows/" + workflow + "/validate")
        .then()
        .statusCode(200)
        .body("valid", equalTo(false))
        .body("errorType", equalTo("QUERY_ERROR"))
        .body("httpStatus", equalTo(400))
        .body("message", containsString("mismatched input 'FORM'"));

    assertThat(simulator.executionRecords()).isEmpty();
  }

  @Test
  void shouldRegisterAnAdHocWorkflowAskedToBeValidatedOnlyWhenAmcAcceptsIt() {
    Map<String, Object> invalid =
        Map.of(
            "instanceId", Fixtures.INSTANCE,
            "advertiserId", Fixtures.ADVERTISER,
            "marketplaceId", Fixtures.MARKETPLACE,
            "sqlQuery", "DROP TABLE campaigns",
            "validate", true);

    operator()
        .contentType(ContentType.JSON)
        .body(invalid)
        .post("/api/v1/workflows")
        .then()
        .statusCode(422)
        .body("valid", equalTo(false))
        .body("message", containsString("SQL compilation error"));
    assertThat(fixtures.count("SELECT count(*) FROM workflows")).isZero();

    Map<String, Object> valid = new java.util.HashMap<>(invalid);
    valid.put("sqlQuery", "SELECT 1");
    operator()
        .contentType(ContentType.JSON)
        .body(valid)
        .post("/api/v1/workflows")
        .then()
        .statusCode(201)
        .body("sqlQuery", equalTo("SELECT 1"));
    assertThat(fixtures.count("SELECT count(*) FROM workflows")).isEqualTo(1);
    assertThat(simulator.executionRecords()).isEmpty();
  }

  /**
   * The later validations wait for the account's rate limit, and a rate-limit wait resumes on a
   * timer's worker thread: the registration's transaction must still open, on a context it accepts.
   */
  @Test
  void shouldRegisterAValidatedWorkflowWhoseValidationWaitedForTheRateLimit() {
    FreshRemoteState.gateLimitingEveryAccount(2, 1);
    try {
      for (int i = 0; i < 3; i++) {
        operator()
            .contentType(ContentType.JSON)
            .body(
                Map.of(
                    "instanceId", Fixtures.INSTANCE,
                    "advertiserId", Fixtures.ADVERTISER,
                    "marketplaceId", Fixtures.MARKETPLACE,
                    "sqlQuery", "SELECT " + i,
                    "validate", true))
            .post("/api/v1/workflows")
            .then()
            .statusCode(201);
      }
    } finally {
      FreshRemoteState.freshGate();
    }
    assertThat(fixtures.count("SELECT count(*) FROM workflows")).isEqualTo(3);
  }

  @Test
  void shouldAnswer404ForAnUnknownWorkflow() {
    operator().post("/api/v1/workflows/" + UUID.randomUUID() + "/validate").then().statusCode(404);
  }
}
