package io.executionpoller.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.executionpoller.support.PostgresResource;
import io.executionpoller.support.TestClock;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.MultiMap;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpRequest;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Fault injection and the list endpoint of the simulator, over real HTTP: every fault shape, the
 * two injection modes, credential rejection, the counters, and the list's paging and filters.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class SimulatorFaultsTest {

  private static final String INSTANCE = "amcinst01";
  private static final String EXECUTIONS = "/amc/reporting/" + INSTANCE + "/workflowExecutions";
  private static final String ADVERTISER = "ENTITY1AA1AA11AAA1";
  private static final DateTimeFormatter REQUEST_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);
  private static final Duration WAIT = Duration.ofSeconds(10);

  /** The simulator's root on the test HTTP port (18081 unless overridden). */
  @TestHTTPResource("/simulator")
  String base;

  @Inject AmcSimulator simulator;
  @Inject TestClock clock;
  @Inject SimulatorConfig config;
  @Inject Vertx vertx;

  private WebClient client;
  private String token;

  @BeforeEach
  void setUp() {
    simulator.reset();
    client = WebClient.create(vertx, new WebClientOptions().setMaxPoolSize(4));
    token = freshToken();
  }

  @AfterEach
  void tearDown() {
    // Releases anything a failing test left hanging on the server.
    simulator.reset();
    client.close();
  }

  // ---- fault shapes ----

  @Test
  void shouldAnswerAThrottleWithRetryAfterWithTheHeaderAndACodeDetailsBody() {
    HttpResponse<Buffer> response = statusWithScripted(Fault.THROTTLE_RETRY_AFTER);

    assertThat(response.statusCode()).isEqualTo(429);
    assertThat(response.getHeader("Retry-After"))
        .isEqualTo(String.valueOf(config.faults().retryAfter().toSeconds()));
    assertThat(response.bodyAsJsonObject())
        .isEqualTo(new JsonObject().put("code", "429").put("details", "Too Many Requests"));
  }

  @Test
  void shouldSetRetryAfterFromTheRunTimeSettingInWholeSeconds() {
    simulator.setRetryAfter(Duration.ofMillis(4500));

    HttpResponse<Buffer> response = statusWithScripted(Fault.THROTTLE_RETRY_AFTER);

    assertThat(response.getHeader("Retry-After")).isEqualTo("5");
  }

  @Test
  void shouldAnswerAThrottleWithMessageWithoutRetryAfterAndWithTheGatewayBody() {
    HttpResponse<Buffer> response = statusWithScripted(Fault.THROTTLE_MESSAGE);

    assertThat(response.statusCode()).isEqualTo(429);
    assertThat(response.getHeader("Retry-After")).isNull();
    assertThat(response.getHeader("amazon-advertising-api-throttled")).isEqualTo("true");
    assertThat(response.bodyAsJsonObject())
        .isEqualTo(new JsonObject().put("message", "Too Many Requests"));
  }

  @Test
  void shouldAnswerAThrottleWithCodeWithoutRetryAfter() {
    HttpResponse<Buffer> response = statusWithScripted(Fault.THROTTLE_CODE);

    assertThat(response.statusCode()).isEqualTo(429);
    assertThat(response.getHeader("Retry-After")).isNull();
    assertThat(response.bodyAsJsonObject())
        .isEqualTo(new JsonObject().put("code", "429").put("details", "Rate exceeded"));
  }

  @Test
  void shouldAnswerError500WithACodeDetailsBody() {
    HttpResponse<Buffer> response = statusWithScripted(Fault.ERROR_500);

    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(response.bodyAsJsonObject())
        .isEqualTo(new JsonObject().put("code", "500").put("details", "Internal Server Error"));
  }

  @Test
  void shouldAnswerError502WithAGatewayMessageBody() {
    HttpResponse<Buffer> response = statusWithScripted(Fault.ERROR_502);

    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.bodyAsJsonObject())
        .isEqualTo(new JsonObject().put("message", "Bad Gateway"));
  }

  @Test
  void shouldAnswerError504SayingTheEndpointTimedOut() {
    HttpResponse<Buffer> response = statusWithScripted(Fault.ERROR_504);

    assertThat(response.statusCode()).isEqualTo(504);
    assertThat(response.bodyAsJsonObject())
        .isEqualTo(new JsonObject().put("message", "Endpoint request timed out"));
  }

  @Test
  void shouldAnswerMalformedWithA200AndAnHtmlPage() {
    HttpResponse<Buffer> response = statusWithScripted(Fault.MALFORMED);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("Content-Type")).startsWith("text/html");
    assertThat(response.bodyAsString()).contains("<html>");
    assertThatThrownBy(() -> new JsonObject(response.bodyAsString()))
        .isInstanceOf(DecodeException.class);
  }

  @Test
  void shouldAnswerTruncatedWithTheFirstHalfOfTheRealBody() {
    String id = preload(ExecutionScript.succeeds(Duration.ZERO, Duration.ofHours(1), 1));
    simulator.scriptFaults(Operation.STATUS, id, List.of(Fault.TRUNCATED));

    HttpResponse<Buffer> truncated = send(get(EXECUTIONS + "/" + id));
    HttpResponse<Buffer> whole = send(get(EXECUTIONS + "/" + id));

    assertThat(truncated.statusCode()).isEqualTo(200);
    assertThat(truncated.getHeader("Content-Type")).isEqualTo("application/json");
    String body = truncated.bodyAsString();
    assertThat(body).hasSize(whole.bodyAsString().length() / 2);
    assertThat(whole.bodyAsString()).startsWith(body);
    assertThatThrownBy(() -> new JsonObject(body)).isInstanceOf(DecodeException.class);
  }

  @Test
  void shouldHangPastTheClientTimeoutAndReleaseTheRequestWhenTheClientGivesUp() {
    String id = preload(ExecutionScript.succeeds(Duration.ZERO, Duration.ofHours(1), 1));
    simulator.scriptFaults(Operation.STATUS, id, List.of(Fault.HANG));

    long started = System.nanoTime();
    Throwable failure = failureOf(authorized(get(EXECUTIONS + "/" + id)).timeout(1000).send());
    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

    assertThat(failure).isInstanceOf(TimeoutException.class);
    assertThat(elapsedMs).isBetween(900L, 5000L);
    // The client closed its side: the server drops its timer and connection at once.
    await().atMost(WAIT).until(() -> simulator.hangingRequests() == 0);
    assertThat(send(get(EXECUTIONS + "/" + id)).statusCode()).isEqualTo(200);
    assertThat(simulator.statusCalls(id)).isEqualTo(2);
  }

  @Test
  void shouldReleaseARequestTheClientStillWaitsForOnReset() {
    String id = preload(ExecutionScript.succeeds(Duration.ZERO, Duration.ofHours(1), 1));
    simulator.scriptFaults(Operation.STATUS, id, List.of(Fault.HANG));
    CompletableFuture<HttpResponse<Buffer>> pending =
        authorized(get(EXECUTIONS + "/" + id)).timeout(30_000).send().subscribeAsCompletionStage();
    await().atMost(WAIT).until(() -> simulator.hangingRequests() == 1);

    simulator.reset();

    await().atMost(WAIT).until(pending::isDone);
    assertThat(pending).isCompletedExceptionally();
    assertThat(simulator.hangingRequests()).isZero();
  }

  @Test
  void shouldCloseTheConnectionWithoutAnAnswerOnTheResetFault() {
    String id = preload(ExecutionScript.succeeds(Duration.ZERO, Duration.ofHours(1), 1));
    simulator.scriptFaults(Operation.STATUS, id, List.of(Fault.RESET));

    Throwable failure = failureOf(authorized(get(EXECUTIONS + "/" + id)).timeout(5000).send());

    assertThat(failure).isInstanceOf(HttpClosedException.class);
    assertThat(send(get(EXECUTIONS + "/" + id)).statusCode()).isEqualTo(200);
    assertThat(simulator.faultsInjected()).containsEntry(Fault.RESET, 1);
  }

  @Test
  void shouldMakeTheExecutionYetAnswerNothingOnALostCreate() {
    simulator.scriptFaults(Operation.CREATE, "wf_lost", List.of(Fault.LOST_CREATE));
    JsonObject body =
        new JsonObject()
            .put("workflowId", "wf_lost")
            .put("parameterValues", new JsonObject().put("run", "r-17"));

    Throwable failure =
        failureOf(authorized(client.postAbs(base + EXECUTIONS)).timeout(5000).sendJsonObject(body));

    assertThat(failure).isInstanceOf(HttpClosedException.class);
    JsonArray executions =
        send(get(EXECUTIONS + "?workflowId=wf_lost")).bodyAsJsonObject().getJsonArray("executions");
    assertThat(executions).hasSize(1);
    assertThat(executions.getJsonObject(0).getJsonObject("parameterValues").getString("run"))
        .isEqualTo("r-17");
    assertThat(simulator.createCalls()).isEqualTo(1);
  }

  @Test
  void shouldCancelYetAnswerNothingOnALostCancel() {
    String id = preload(ExecutionScript.succeeds(Duration.ZERO, Duration.ofHours(1), 1));
    simulator.scriptFaults(Operation.CANCEL, id, List.of(Fault.LOST_CREATE));

    Throwable failure = failureOf(cancelRequest(id));

    assertThat(failure).isInstanceOf(HttpClosedException.class);
    assertThat(statusOf(id)).isEqualTo("CANCELLED");
  }

  @Test
  void shouldChangeNothingOnATruncatedCancel() {
    String id = preload(ExecutionScript.succeeds(Duration.ZERO, Duration.ofHours(1), 1));
    simulator.scriptFaults(Operation.CANCEL, id, List.of(Fault.TRUNCATED));

    HttpResponse<Buffer> response = cancelRequest(id).await().atMost(WAIT);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.bodyAsString()).isEqualTo("{");
    assertThat(statusOf(id)).isEqualTo("RUNNING");
  }

  @Test
  void shouldCreateNothingOnRandomCreateFaults() {
    simulator.setFaultOperations(Set.of(Operation.CREATE));
    simulator.setFaultRates(FaultRates.only(Fault.ERROR_500, 1.0));

    HttpResponse<Buffer> response = create(new JsonObject().put("workflowId", "wf_busy"));

    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(listByWorkflow("wf_busy")).isEmpty();
    assertThat(simulator.createCalls()).isEqualTo(1);

    simulator.setFaultRates(FaultRates.only(Fault.TRUNCATED, 1.0));
    HttpResponse<Buffer> truncated = create(new JsonObject().put("workflowId", "wf_busy"));

    assertThat(truncated.statusCode()).isEqualTo(200);
    assertThat(truncated.bodyAsString()).startsWith("{\"workflowExecutionId\":");
    assertThat(listByWorkflow("wf_busy")).isEmpty();
  }

  @Test
  void shouldRefuseThePresentedTokenOnTokenExpiredUntilARefresh() {
    String id = preload(ExecutionScript.succeeds(Duration.ZERO, Duration.ofHours(1), 1));
    simulator.scriptFaults(Operation.STATUS, AmcSimulator.ANY, List.of(Fault.TOKEN_EXPIRED));

    HttpResponse<Buffer> expired = send(get(EXECUTIONS + "/" + id));
    HttpResponse<Buffer> sameTokenAgain = send(get(EXECUTIONS + "/" + id));
    token = freshToken();
    HttpResponse<Buffer> refreshed = send(get(EXECUTIONS + "/" + id));

    assertThat(expired.statusCode()).isEqualTo(401);
    assertThat(expired.bodyAsJsonObject())
        .isEqualTo(new JsonObject().put("code", "401").put("details", "Authentication failed"));
    assertThat(sameTokenAgain.statusCode()).isEqualTo(401);
    assertThat(refreshed.statusCode()).isEqualTo(200);
    assertThat(simulator.statusCalls(id)).as("authorization answers are not status calls").isOne();
  }

  @Test
  void shouldRefuseRefreshesWithInvalidGrantUntilCredentialsAreAccepted() {
    simulator.rejectCredentials("invalid_grant");

    HttpResponse<Buffer> refused = tokenRequest();

    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(refused.bodyAsJsonObject())
        .isEqualTo(
            new JsonObject()
                .put("error", "invalid_grant")
                .put(
                    "error_description",
                    "The request has an invalid grant parameter : refresh_token"));
    assertThat(send(get(EXECUTIONS + "?workflowId=any")).statusCode())
        .as("tokens already issued keep working")
        .isEqualTo(200);

    simulator.acceptCredentials();
    assertThat(tokenRequest().statusCode()).isEqualTo(200);
  }

  @Test
  void shouldAnswerInvalidClientWithA401() {
    simulator.rejectCredentials("invalid_client");

    HttpResponse<Buffer> refused = tokenRequest();

    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(refused.bodyAsJsonObject())
        .isEqualTo(
            new JsonObject()
                .put("error", "invalid_client")
                .put("error_description", "Client authentication failed"));
    assertThatThrownBy(() -> simulator.rejectCredentials("unauthorized_client"))
        .isInstanceOf(IllegalArgumentException.class);
    simulator.reset();
    assertThat(tokenRequest().statusCode()).as("reset accepts credentials again").isEqualTo(200);
  }

  // ---- injection modes ----

  @Test
  void shouldConsumeAScriptedSequenceInOrderThenAnswerNormally() {
    String id = preload(ExecutionScript.succeeds(Duration.ZERO, Duration.ofHours(1), 1));
    String other = preload(ExecutionScript.succeeds(Duration.ZERO, Duration.ofHours(1), 1));
    simulator.scriptFaults(
        Operation.STATUS, id, List.of(Fault.THROTTLE_CODE, Fault.ERROR_500, Fault.ERROR_504));

    List<Integer> codes = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      codes.add(send(get(EXECUTIONS + "/" + id)).statusCode());
    }

    assertThat(codes).containsExactly(429, 500, 504, 200, 200);
    assertThat(send(get(EXECUTIONS + "/" + other)).statusCode()).isEqualTo(200);
    assertThat(simulator.statusCalls(id)).as("faulted calls reached the server").isEqualTo(5);
    assertThat(simulator.statusCallTimes(id)).hasSize(5);
    assertThat(simulator.faultsInjected())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(Fault.THROTTLE_CODE, 1, Fault.ERROR_500, 1, Fault.ERROR_504, 1));
  }

  @Test
  void shouldApplyTheOwnKeyBeforeTheWildcardAndScriptsBeforeRandomFaults() {
    String id = preload(ExecutionScript.succeeds(Duration.ZERO, Duration.ofHours(1), 1));
    simulator.scriptFaults(Operation.STATUS, AmcSimulator.ANY, List.of(Fault.ERROR_502));
    simulator.scriptFaults(Operation.STATUS, id, List.of(Fault.ERROR_500));
    simulator.setFaultRates(FaultRates.only(Fault.THROTTLE_CODE, 1.0));

    List<Integer> codes = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      codes.add(send(get(EXECUTIONS + "/" + id)).statusCode());
    }

    assertThat(codes).containsExactly(500, 502, 429);
  }

  @Test
  void shouldKeyListCreateAndDownloadScriptsByTheirOwnKeys() {
    simulator.scriptFaults(Operation.LIST, INSTANCE, List.of(Fault.ERROR_500));
    simulator.scriptFaults(Operation.LIST, "other-instance", List.of(Fault.ERROR_502));
    simulator.scriptFaults(Operation.CREATE, "SELECT 1", List.of(Fault.THROTTLE_CODE));
    String id = preload(ExecutionScript.succeeds(Duration.ZERO, Duration.ZERO, 1));
    simulator.scriptFaults(Operation.DOWNLOAD_URLS, id, List.of(Fault.ERROR_504));

    assertThat(send(get(EXECUTIONS + "?workflowId=wf")).statusCode()).isEqualTo(500);
    assertThat(send(get(EXECUTIONS + "?workflowId=wf")).statusCode()).isEqualTo(200);
    assertThat(create(new JsonObject().put("workflowId", "SELECT 1")).statusCode())
        .as("same text as a workflowId matches the query script too")
        .isEqualTo(429);
    assertThat(
            create(new JsonObject().put("workflow", new JsonObject().put("sqlQuery", "SELECT 1")))
                .statusCode())
        .isEqualTo(200);
    assertThat(send(get(EXECUTIONS + "/" + id + "/downloadUrls")).statusCode()).isEqualTo(504);
    assertThat(send(get(EXECUTIONS + "/" + id + "/downloadUrls")).statusCode()).isEqualTo(200);
    assertThat(simulator.listCalls()).isEqualTo(2);
    assertThat(simulator.createCalls()).isEqualTo(2);
  }

  @Test
  void shouldApplyRandomFaultsToStatusChecksOnlyByDefault() {
    simulator.setFaultRates(FaultRates.only(Fault.ERROR_500, 1.0));

    assertThat(send(get(EXECUTIONS + "?workflowId=wf")).statusCode()).isEqualTo(200);
    assertThat(create(new JsonObject().put("workflowId", "wf")).statusCode()).isEqualTo(200);
    String id = listByWorkflow("wf").getJsonObject(0).getString("workflowExecutionId");
    assertThat(send(get(EXECUTIONS + "/" + id)).statusCode()).isEqualTo(500);

    simulator.setFaultOperations(Set.of(Operation.LIST));
    assertThat(send(get(EXECUTIONS + "/" + id)).statusCode()).isEqualTo(200);
    assertThat(send(get(EXECUTIONS + "?workflowId=wf")).statusCode()).isEqualTo(500);
  }

  @Test
  void shouldReplayTheSameFaultsAtTheirRatesForTheSameSeed() {
    FaultRates rates = new FaultRates(0, 0.1, 0.2, 0.1, 0, 0, 0, 0, 0, 0);

    List<Integer> first = statusCodes(rates, 42L, 200);
    List<Integer> again = statusCodes(rates, 42L, 200);
    List<Integer> otherSeed = statusCodes(rates, 43L, 200);

    assertThat(again).isEqualTo(first);
    assertThat(otherSeed).isNotEqualTo(first);
    double throttled = first.stream().filter(code -> code == 429).count() / 200.0;
    double failed = first.stream().filter(code -> code == 500).count() / 200.0;
    assertThat(throttled).isCloseTo(0.3, within(0.1));
    assertThat(failed).isCloseTo(0.1, within(0.07));
    assertThat(first).containsOnly(200, 429, 500);
  }

  @Test
  void shouldRestoreTheConfiguredFaultSettingsOnReset() {
    simulator.setFaultRates(FaultRates.only(Fault.HANG, 0.5), 9);
    simulator.setFaultOperations(Set.of(Operation.CANCEL));
    simulator.setRetryAfter(Duration.ofSeconds(30));

    simulator.reset();

    SimulatorConfig.Faults faults = config.faults();
    assertThat(simulator.faultRates()).isEqualTo(FaultRates.from(faults));
    assertThat(simulator.faultOperations()).isEqualTo(faults.operations());
    assertThat(simulator.retryAfter()).isEqualTo(faults.retryAfter());
    assertThatThrownBy(() -> FaultRates.only(Fault.LOST_CREATE, 0.1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new FaultRates(0.6, 0.6, 0, 0, 0, 0, 0, 0, 0, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // ---- counters ----

  @Test
  void shouldCountCallsPerAdvertiserAndRecordStatusTimes() {
    String id = preload(ExecutionScript.succeeds(Duration.ZERO, Duration.ofHours(1), 1));
    Instant first = clock.instant();

    send(get(EXECUTIONS + "/" + id));
    clock.advance(Duration.ofSeconds(30));
    send(get(EXECUTIONS + "/" + id));
    send(authorized(get(EXECUTIONS + "?workflowId=wf"), "ENTITY2BB"));
    send(
        client
            .getAbs(base + EXECUTIONS + "?workflowId=wf")
            .putHeader("Amazon-Advertising-API-AdvertiserId", ADVERTISER));

    assertThat(simulator.statusCallTimes(id)).containsExactly(first, first.plusSeconds(30));
    assertThat(simulator.callsByAdvertiser())
        .as("a call refused for its token still arrived")
        .isEqualTo(Map.of(ADVERTISER, 3, "ENTITY2BB", 1));
    List<Long> nanos = simulator.callNanosByAdvertiser(ADVERTISER);
    assertThat(nanos).hasSize(3).isSorted();
    assertThat(simulator.totalApiCalls()).isEqualTo(4);
    assertThat(simulator.listCalls()).isEqualTo(1);

    simulator.reset();
    assertThat(simulator.totalApiCalls()).isZero();
    assertThat(simulator.callsByAdvertiser()).isEmpty();
    assertThat(simulator.statusCallTimes(id)).isEmpty();
  }

  // ---- failed executions ----

  @Test
  void shouldEndFailureScriptsWithTheirStatusReasons() {
    Map<String, ExecutionScript> scripts =
        Map.of(
            "wf_query",
            ExecutionScript.failsWithQueryError(Duration.ZERO, Duration.ofSeconds(5)),
            "wf_overlap",
            ExecutionScript.rejectedForOverlap(Duration.ZERO),
            "wf_overlap_failed",
            ExecutionScript.failsForOverlap(Duration.ZERO),
            "wf_time",
            ExecutionScript.failsWithTimeLimit(Duration.ZERO, Duration.ofHours(6)),
            "wf_internal",
            ExecutionScript.failsWithInternalError(Duration.ZERO, Duration.ofMinutes(3)),
            "wf_permission",
            ExecutionScript.failsWithPermission(Duration.ZERO, Duration.ofSeconds(1)));
    Map<String, String> ids = new HashMap<>();
    scripts.forEach(
        (workflow, script) -> ids.put(workflow, simulator.preload(INSTANCE, workflow, script)));

    clock.advance(Duration.ofHours(7));
    token = freshToken();

    Map<String, JsonObject> views = new HashMap<>();
    ids.forEach(
        (workflow, id) -> views.put(workflow, send(get(EXECUTIONS + "/" + id)).bodyAsJsonObject()));
    assertThat(views.get("wf_query").getString("status")).isEqualTo("FAILED");
    assertThat(views.get("wf_query").getString("statusReason"))
        .isEqualTo(
            "SQL compilation error: line 3:14 mismatched input 'FORM' expecting {<EOF>, ';'}");
    assertThat(views.get("wf_overlap").getString("status")).isEqualTo("REJECTED");
    assertThat(views.get("wf_overlap").getString("statusReason"))
        .isEqualTo(
            "Execution \""
                + ids.get("wf_overlap")
                + "\" of workflow \"wf_overlap\" could not be run because too many workflows have"
                + " already been run against the same input data sources in the same or"
                + " overlapping time windows.");
    assertThat(views.get("wf_overlap_failed").getString("status")).isEqualTo("FAILED");
    assertThat(views.get("wf_time").getString("statusReason"))
        .isEqualTo("Execution time limit exceeded: workflowExecutionTimeoutSeconds=21600");
    assertThat(views.get("wf_internal").getString("statusReason"))
        .isEqualTo("Internal error: the query engine failed unexpectedly");
    assertThat(views.get("wf_permission").getString("statusReason"))
        .isEqualTo(
            "Access denied: the advertiser does not have access to dataset sponsored_ads_traffic");
  }

  // ---- list ----

  @Test
  void shouldPageTheListNewestFirstWithAnOpaqueNextToken() {
    List<String> created = createOnePerMinute("wf_page", 5);

    List<String> seen = new ArrayList<>();
    String next = null;
    int pages = 0;
    do {
      String path =
          EXECUTIONS + "?workflowId=wf_page&limit=2" + (next == null ? "" : "&nextToken=" + next);
      JsonObject page = send(get(path)).bodyAsJsonObject();
      page.getJsonArray("executions")
          .forEach(e -> seen.add(((JsonObject) e).getString("workflowExecutionId")));
      next = page.getString("nextToken");
      pages++;
    } while (next != null);

    assertThat(pages).isEqualTo(3);
    assertThat(seen).containsExactlyElementsOf(reversed(created));
    JsonArray ascending =
        send(get(EXECUTIONS + "?workflowId=wf_page&sortAscending=true"))
            .bodyAsJsonObject()
            .getJsonArray("executions");
    assertThat(ids(ascending)).containsExactlyElementsOf(created);
  }

  @Test
  void shouldOmitCancelledExecutionsFromTheListUnlessAsked() {
    simulator.scriptFor(
        "wf_cancel", ExecutionScript.succeeds(Duration.ZERO, Duration.ofHours(1), 1));
    List<String> created = createOnePerMinute("wf_cancel", 3);
    assertThat(cancelRequest(created.get(1)).await().atMost(WAIT).statusCode()).isEqualTo(200);

    assertThat(ids(listByWorkflow("wf_cancel"))).containsExactly(created.get(2), created.get(0));
    JsonArray all =
        send(get(EXECUTIONS + "?workflowId=wf_cancel&includeCancelled=true"))
            .bodyAsJsonObject()
            .getJsonArray("executions");
    assertThat(ids(all)).containsExactlyElementsOf(reversed(created));
  }

  @Test
  void shouldFilterTheListByCreationTimeAndWorkflow() {
    Instant start = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    clock.set(start);
    List<String> created = createOnePerMinute("wf_time", 4);
    create(new JsonObject().put("workflowId", "wf_elsewhere"));

    String min = REQUEST_TIME.format(start.plusSeconds(60));
    String max = REQUEST_TIME.format(start.plusSeconds(120));
    JsonArray window =
        send(get(EXECUTIONS + "?minCreationTime=" + min + "&maxCreationTime=" + max))
            .bodyAsJsonObject()
            .getJsonArray("executions");
    JsonArray since =
        send(get(EXECUTIONS + "?workflowId=wf_time&minCreationTime=" + min))
            .bodyAsJsonObject()
            .getJsonArray("executions");

    assertThat(ids(window)).containsExactly(created.get(2), created.get(1));
    assertThat(ids(since)).containsExactly(created.get(3), created.get(2), created.get(1));
  }

  @Test
  void shouldEchoTheCreateRequestInStatusAndList() {
    JsonObject body =
        new JsonObject()
            .put("workflow", new JsonObject().put("sqlQuery", "SELECT campaign_id FROM t"))
            .put("parameterValues", new JsonObject().put("runKey", "abc-123"))
            .put("timeWindowType", "EXPLICIT")
            .put("timeWindowStart", "2026-11-01T00:00:00")
            .put("timeWindowEnd", "2026-11-08T00:00:00")
            .put("timeWindowTimeZone", "America/New_York");

    JsonObject created = create(body).bodyAsJsonObject();
    String id = created.getString("workflowExecutionId");
    JsonObject status = send(get(EXECUTIONS + "/" + id)).bodyAsJsonObject();
    String min = REQUEST_TIME.format(clock.instant().minusSeconds(60));
    JsonObject listed =
        send(get(EXECUTIONS + "?minCreationTime=" + min + "&includeWorkflow=true"))
            .bodyAsJsonObject()
            .getJsonArray("executions")
            .getJsonObject(0);

    for (JsonObject view : List.of(created, status, listed)) {
      assertThat(view.getString("workflowId")).startsWith("transient_");
      assertThat(view.getJsonObject("parameterValues").getMap())
          .isEqualTo(Map.of("runKey", "abc-123"));
      assertThat(view.getString("timeWindowType")).isEqualTo("EXPLICIT");
      assertThat(view.getString("timeWindowStartOriginal")).isEqualTo("2026-11-01T00:00:00");
      assertThat(view.getString("timeWindowEndOriginal")).isEqualTo("2026-11-08T00:00:00");
      assertThat(view.getString("timeWindowStart")).isEqualTo("2026-11-01T04:00:00Z");
      assertThat(view.getString("timeWindowEnd")).isEqualTo("2026-11-08T05:00:00Z");
      assertThat(view.getString("timeWindowTimeZoneOriginal")).isEqualTo("America/New_York");
    }
    assertThat(status.containsKey("sqlQuery")).isFalse();
    assertThat(listed.getString("sqlQuery")).isEqualTo("SELECT campaign_id FROM t");
    assertThat(listed.getJsonObject("workflow").getString("sqlQuery"))
        .isEqualTo("SELECT campaign_id FROM t");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "?workflowId=wf&limit=0",
        "?workflowId=wf&limit=101",
        "?workflowId=wf&limit=ten",
        "?workflowId=wf&sortAscending=maybe",
        "?workflowId=wf&includeCancelled=1",
        "?workflowId=wf&includeWorkflow=yes",
        "?minCreationTime=2026-11-01",
        "?minCreationTime=2026-11-01T00:00",
        "?workflowId=wf&maxCreationTime=2026-13-01T00:00:00",
        "?workflowId=wf&timeZone=Mars/Olympus",
        "?workflowId=wf&nextToken=not-a-token"
      })
  void shouldRefuseBadListParameters(String query) {
    HttpResponse<Buffer> response = send(get(EXECUTIONS + query));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.bodyAsJsonObject().getString("code")).isEqualTo("400");
    assertThat(response.bodyAsJsonObject().getString("details")).isNotBlank();
  }

  @Test
  void shouldRequireAWorkflowIdOrAMinimumCreationTimeToList() {
    HttpResponse<Buffer> response = send(get(EXECUTIONS));

    assertThat(response.statusCode()).isEqualTo(422);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"workflowId\":\"wf\",\"parameterValues\":{\"n\":3}}",
        "{\"workflowId\":\"wf\",\"timeWindowType\":\"LAST_YEAR\"}",
        "{\"workflowId\":\"wf\",\"timeWindowType\":\"EXPLICIT\",\"timeWindowStart\":\"2026-11-01T00:00:00\"}",
        "{\"workflowId\":\"wf\",\"timeWindowType\":\"ALL\",\"timeWindowStart\":\"2026-11-01T00:00:00\",\"timeWindowEnd\":\"2026-11-02T00:00:00\"}",
        "{\"workflowId\":\"wf\",\"timeWindowType\":\"EXPLICIT\",\"timeWindowStart\":\"2026-11-01\",\"timeWindowEnd\":\"2026-11-02\"}",
        "{\"workflowId\":\"wf\",\"timeWindowTimeZone\":\"Nowhere/Land\"}",
        "{\"workflowId\":\"wf\",\"workflow\":{\"sqlQuery\":\"SELECT 1\"}}"
      })
  void shouldRefuseBadCreateBodies(String body) {
    HttpResponse<Buffer> response =
        authorized(client.postAbs(base + EXECUTIONS))
            .putHeader("Content-Type", "application/json")
            .sendBuffer(Buffer.buffer(body))
            .await()
            .atMost(WAIT);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(listByWorkflow("wf")).isEmpty();
  }

  // ---- helpers ----

  private HttpResponse<Buffer> statusWithScripted(Fault fault) {
    String id = preload(ExecutionScript.succeeds(Duration.ZERO, Duration.ofHours(1), 1));
    simulator.scriptFaults(Operation.STATUS, id, List.of(fault));
    HttpResponse<Buffer> response = send(get(EXECUTIONS + "/" + id));
    assertThat(send(get(EXECUTIONS + "/" + id)).statusCode()).as("then normal").isEqualTo(200);
    assertThat(simulator.faultsInjected()).isEqualTo(Map.of(fault, 1));
    return response;
  }

  /** Status codes of {@code calls} sequential status checks under seeded random faults. */
  private List<Integer> statusCodes(FaultRates rates, long seed, int calls) {
    simulator.reset();
    token = freshToken();
    String id = preload(ExecutionScript.succeeds(Duration.ZERO, Duration.ofHours(1), 1));
    simulator.setFaultRates(rates, seed);
    List<Integer> codes = new ArrayList<>();
    for (int i = 0; i < calls; i++) {
      codes.add(send(get(EXECUTIONS + "/" + id)).statusCode());
    }
    return codes;
  }

  private List<String> createOnePerMinute(String workflowId, int count) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      if (i > 0) {
        clock.advance(Duration.ofMinutes(1));
      }
      HttpResponse<Buffer> response = create(new JsonObject().put("workflowId", workflowId));
      assertThat(response.statusCode()).isEqualTo(200);
      ids.add(response.bodyAsJsonObject().getString("workflowExecutionId"));
    }
    return ids;
  }

  private JsonArray listByWorkflow(String workflowId) {
    HttpResponse<Buffer> response = send(get(EXECUTIONS + "?workflowId=" + workflowId));
    assertThat(response.statusCode()).isEqualTo(200);
    return response.bodyAsJsonObject().getJsonArray("executions");
  }

  private String statusOf(String id) {
    return send(get(EXECUTIONS + "/" + id)).bodyAsJsonObject().getString("status");
  }

  private String preload(ExecutionScript script) {
    return simulator.preload(INSTANCE, "wf_preloaded", script);
  }

  private HttpResponse<Buffer> create(JsonObject body) {
    return authorized(client.postAbs(base + EXECUTIONS))
        .timeout(5000)
        .sendJsonObject(body)
        .await()
        .atMost(WAIT);
  }

  private Uni<HttpResponse<Buffer>> cancelRequest(String id) {
    return authorized(client.putAbs(base + EXECUTIONS + "/" + id))
        .timeout(5000)
        .sendJsonObject(new JsonObject().put("status", "CANCELLED"));
  }

  private HttpRequest<Buffer> get(String path) {
    return authorized(client.getAbs(base + path));
  }

  private HttpRequest<Buffer> authorized(HttpRequest<Buffer> request) {
    return authorized(request, ADVERTISER);
  }

  private HttpRequest<Buffer> authorized(HttpRequest<Buffer> request, String advertiserId) {
    return request
        .putHeader("Authorization", "Bearer " + token)
        .putHeader("Amazon-Advertising-API-ClientId", "sim-client")
        .putHeader("Amazon-Advertising-API-AdvertiserId", advertiserId)
        .putHeader("Amazon-Advertising-API-MarketplaceId", "ATVPDKIKX0DER");
  }

  private HttpResponse<Buffer> send(HttpRequest<Buffer> request) {
    return request.timeout(5000).send().await().atMost(WAIT);
  }

  private HttpResponse<Buffer> tokenRequest() {
    MultiMap form =
        MultiMap.caseInsensitiveMultiMap()
            .add("grant_type", "refresh_token")
            .add("refresh_token", "Atzr|sim-refresh-token")
            .add("client_id", "sim-client")
            .add("client_secret", "sim-secret");
    return client
        .postAbs(base + "/auth/o2/token")
        .timeout(5000)
        .sendForm(form)
        .await()
        .atMost(WAIT);
  }

  private String freshToken() {
    HttpResponse<Buffer> response = tokenRequest();
    assertThat(response.statusCode()).isEqualTo(200);
    return response.bodyAsJsonObject().getString("access_token");
  }

  /** The failure of a call expected to fail, unwrapped from Mutiny's checked-exception wrapper. */
  private static Throwable failureOf(Uni<?> call) {
    try {
      call.await().atMost(WAIT);
    } catch (RuntimeException e) {
      return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }
    throw new AssertionError("the call succeeded");
  }

  private static List<String> ids(JsonArray executions) {
    List<String> ids = new ArrayList<>();
    executions.forEach(e -> ids.add(((JsonObject) e).getString("workflowExecutionId")));
    return ids;
  }

  private static List<String> reversed(List<String> list) {
    List<String> copy = new ArrayList<>(list);
    Collections.reverse(copy);
    return copy;
  }
}
