package io.executionpoller.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.executionpoller.logging.LifecycleRecorder;
import io.executionpoller.poll.PollCycle;
import io.executionpoller.results.Results;
import io.executionpoller.simulator.AmcSimulator;
import io.executionpoller.simulator.ExecutionScript;
import io.executionpoller.simulator.Fault;
import io.executionpoller.simulator.Operation;
import io.executionpoller.simulator.S3Fault;
import io.executionpoller.support.Api;
import io.executionpoller.support.Downloads;
import io.executionpoller.support.Fixtures;
import io.executionpoller.support.PostgresResource;
import io.executionpoller.support.TestClock;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Runs the paths where a secret could escape (token refresh and rejection, expired tokens, result
 * downloads with presigned URLs, refused redirects, failed remote calls, bad admin tokens) with
 * DEBUG logging to a file, then greps every API answer and the whole log for each secret the test
 * configured.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
@TestProfile(SecretLeakTest.DebugLogToFile.class)
class SecretLeakTest {

  static final Path LOG = Path.of("target", "secret-leak-test.log");

  public static class DebugLogToFile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      Map<String, String> overrides = new HashMap<>();
      // The lifecycle lines' category, kept at WARN by the test profile like the loop's.
      overrides.put(
          "%test.quarkus.log.category.\"" + LifecycleRecorder.class.getName() + "\".level",
          "DEBUG");
      overrides.putAll(
          Map.of(
              "quarkus.log.file.enabled", "true",
              "quarkus.log.file.path", LOG.toString(),
              "quarkus.log.file.level", "DEBUG",
              "quarkus.log.min-level", "DEBUG",
              "quarkus.log.category.\"io.executionpoller\".level", "DEBUG",
              // Prefixed: the test profile's own WARN for the loop would win over a plain key.
              "%test.quarkus.log.category.\"io.executionpoller.poll\".level", "DEBUG",
              "quarkus.log.category.\"io.vertx\".level", "DEBUG",
              "quarkus.log.category.\"io.agroal\".level", "DEBUG"));
      return overrides;
    }
  }

  @Inject PollCycle cycle;
  @Inject AmcSimulator simulator;
  @Inject Fixtures fixtures;
  @Inject TestClock clock;
  @Inject Results results;
  @Inject Downloads downloads;
  @Inject io.executionpoller.notify.DeliveryDispatcher dispatcher;
  @Inject io.executionpoller.bulk.BulkWorker bulkWorker;

  @ConfigProperty(name = "poller.amc.client-secret")
  String clientSecret;

  @ConfigProperty(name = "poller.amc.refresh-token")
  String refreshToken;

  @Test
  void shouldNeverShowAConfiguredSecretInAnAnswerOrLogLine() throws IOException {
    fixtures.reset();
    List<String> answers = new ArrayList<>();
    // A webhook subscription whose receiver refuses connections: its deliveries fail and log.
    Response subscribed =
        Api.operator()
            .contentType("application/json")
            .body(
                Map.of(
                    "url",
                    "http://127.0.0.1:9/hook",
                    "eventTypes",
                    List.of("execution.succeeded", "result.failed")))
            .post("/api/v1/subscriptions");
    subscribed.then().statusCode(201);
    String subscription = subscribed.path("id");
    String webhookSecret = subscribed.path("secret");
    String rotatedSecret =
        Api.operator()
            .post("/api/v1/subscriptions/{id}/rotate-secret", subscription)
            .then()
            .statusCode(200)
            .extract()
            .path("secret");
    simulator.scriptFor(
        "wf_secret", ExecutionScript.succeeds(Duration.ZERO, Duration.ofSeconds(5), 3));
    UUID workflow = fixtures.savedWorkflow("wf_secret");
    UUID ok = fixtures.submit(workflow);
    UUID redirected = fixtures.submit(workflow);
    run();
    clock.advance(Duration.ofSeconds(1));
    run();
    // An expired access token mid-run, then a refresh refused outright.
    String remote = (String) fixtures.execution(ok).get("amc_execution_id");
    simulator.scriptFaults(Operation.STATUS, remote, List.of(Fault.TOKEN_EXPIRED, Fault.ERROR_500));
    clock.advance(Duration.ofMinutes(2));
    run();
    simulator.rejectCredentials("invalid_grant");
    fixtures.forgetCachedToken();
    clock.advance(Duration.ofMinutes(2));
    run();
    simulator.acceptCredentials();
    fixtures.forgetCachedToken();
    clock.advance(Duration.ofHours(1));
    run();
    // One download expires and is renewed, one is redirected and refused.
    simulator.scriptS3Faults(
        (String) fixtures.execution(ok).get("amc_execution_id"), List.of(S3Fault.EXPIRED));
    simulator.scriptS3Faults(
        (String) fixtures.execution(redirected).get("amc_execution_id"), List.of(S3Fault.REDIRECT));
    downloads.downloadAll();
    assertThat(dispatcher.runOnce()).as("webhook deliveries attempted").isPositive();

    for (UUID id : List.of(ok, redirected)) {
      answers.add(Api.viewer().queryParam("executionId", id).get("/api/v1/deliveries").asString());
      answers.add(Api.viewer().get("/api/v1/executions/{id}", id).asString());
      answers.add(Api.viewer().get("/api/v1/executions/{id}/events", id).asString());
      answers.add(Api.viewer().get("/api/v1/executions/{id}/results", id).asString());
    }
    answers.add(Api.viewer().get("/api/v1/debug").asString());
    answers.add(Api.viewer().get("/api/v1/executions").asString());
    answers.add(Api.viewer().get("/api/v1/executions/stuck").asString());
    answers.add(Api.viewer().get("/api/v1/stats").asString());
    answers.add(Api.viewer().get("/api/v1/replicas").asString());
    answers.add(Api.viewer().get("/api/v1/subscriptions").asString());
    answers.add(Api.viewer().get("/api/v1/subscriptions/{id}", subscription).asString());
    answers.add(Api.viewer().get("/api/v1/subscriptions/{id}/deliveries", subscription).asString());
    answers.add(
        Api.viewer()
            .queryParam("after", 0)
            .queryParam("follow", false)
            .get("/api/v1/events/stream")
            .asString());
    answers.add(Api.operator().post("/api/v1/subscriptions/{id}/pause", subscription).asString());
    // Dead deliveries are listed on the Problems page, with their receiver's last answer.
    fixtures.update("UPDATE webhook_deliveries SET status = 'DEAD', last_status_code = 503");
    answers.add(Api.viewer().get("/problems").asString());
    answers.add(Api.operator().get("/backfill").asString());
    answers.add(Api.viewer().get("/backfill").asString());
    answers.add(Api.viewer().get("/assets/live.js").asString());
    answers.add(Api.viewer().get("/assets/backfill.js").asString());
    answers.add(Api.viewer().get("/executions/{id}", ok).asString());
    for (boolean dryRun : List.of(true, false)) {
      answers.add(
          Api.operator()
              .contentType("application/json")
              .body(
                  Map.of(
                      "workflowId",
                      workflow.toString(),
                      "from",
                      "2024-01-01",
                      "to",
                      "2024-01-04",
                      "period",
                      "DAILY",
                      "dryRun",
                      dryRun))
              .post("/api/v1/executions/backfill")
              .asString());
    }
    answers.add(Api.viewer().get("/charts").asString());
    answers.add(Api.viewer().get("/?errorType=AUTHENTICATION_ERROR").asString());
    answers.add(
        Api.operator()
            .contentType("application/json")
            .body(
                "{\"registrations\":[{\"idempotencyKey\":\"leak-1\",\"workflowId\":\""
                    + UUID.randomUUID()
                    + "\"}]}")
            .post("/api/v1/executions/batch")
            .asString());
    // A bulk check-now from preview to a worked job, and the dashboard with its script.
    UUID due = fixtures.submit(workflow);
    Map<String, Object> selection = Map.of("ids", List.of(due.toString()));
    answers.add(
        Api.operator()
            .contentType("application/json")
            .body(selection)
            .post("/api/v1/executions/bulk/check-now/preview")
            .asString());
    Response bulk =
        Api.operator()
            .contentType("application/json")
            .body(Map.of("ids", List.of(due.toString()), "reason", "leak check", "confirm", 1))
            .post("/api/v1/executions/bulk/check-now");
    bulk.then().statusCode(202);
    answers.add(bulk.asString() + bulk.headers());
    clock.advance(Duration.ofSeconds(1));
    assertThat(bulkWorker.runOnce()).isEqualTo(1);
    answers.add(Api.viewer().get("/api/v1/bulk-jobs/{id}", bulk.path("id").toString()).asString());
    answers.add(Api.viewer().get("/api/v1/bulk-jobs").asString());
    answers.add(Api.viewer().get("/assets/bulk.js").asString());
    answers.add(Api.operator().get("/").asString());
    Response refused = Api.bearer(Api.OPERATOR_TOKEN + "-guess").get("/api/v1/executions");
    answers.add(refused.asString() + refused.headers());
    answers.add(Api.viewer().post("/api/v1/executions/{id}/cancel", ok).asString());

    assertThat(fixtures.status(ok)).isEqualTo("SUCCESS");
    assertThat(results.resultStatus(ok)).isEqualTo("STORED");
    assertThat(results.resultStatus(redirected)).isEqualTo("FAILED");
    assertThat(simulator.tokenCalls()).as("tokens were refreshed and refused").isGreaterThan(2);

    String log = Files.readString(LOG, StandardCharsets.UTF_8);
    // Text or JSON (the file handler follows the production format): either way these appear.
    assertThat(log)
        .as("the log holds the daemon's DEBUG lines of this run")
        .contains("DEBUG")
        .contains("AccessTokenProvider")
        .contains("EXEC_TRANSITION")
        .contains(ok.toString())
        .contains("RESULT_FAILED");
    List<String> secrets =
        List.of(
            clientSecret,
            refreshToken,
            "Atza|sim-",
            "X-Amz-Signature",
            Api.VIEWER_TOKEN,
            Api.OPERATOR_TOKEN,
            PostgresResource.UNUSED_PASSWORD,
            webhookSecret,
            rotatedSecret,
            "whsec_");
    for (String secret : secrets) {
      assertThat(log).as("the log").doesNotContain(secret);
      for (String answer : answers) {
        assertThat(answer).as("an API answer").doesNotContain(secret);
      }
    }
  }

  private void run() {
    cycle.runOnce().await().atMost(Duration.ofSeconds(60));
  }
}
