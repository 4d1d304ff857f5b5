package io.executionpoller.notify;

import static io.executionpoller.support.Api.operator;
import static io.executionpoller.support.Api.viewer;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.executionpoller.db.FromBlockingThread;
import io.executionpoller.poll.PollCycle;
import io.executionpoller.results.Results;
import io.executionpoller.simulator.AmcSimulator;
import io.executionpoller.simulator.ExecutionScript;
import io.executionpoller.simulator.ResultFile;
import io.executionpoller.support.Downloads;
import io.executionpoller.support.Fixtures;
import io.executionpoller.support.PostgresResource;
import io.executionpoller.support.TestClock;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Webhooks end to end: executions change through the real loop, the outbox trigger writes their
 * deliveries, the dispatcher (driven by {@link DeliveryDispatcher#runOnce()}) posts them to a
 * receiver in this JVM, and signatures are checked with {@link ReceiverSideVerifier}.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class WebhookDeliveryTest {

  private static final Duration AWAIT = Duration.ofSeconds(60);
  private static final List<String> ALL =
      java.util.Arrays.stream(WebhookEvent.values()).map(WebhookEvent::wireName).toList();

  @Inject PollCycle cycle;
  @Inject AmcSimulator simulator;
  @Inject Fixtures fixtures;
  @Inject TestClock clock;
  @Inject Results results;
  @Inject Downloads downloads;
  @Inject DeliveryDispatcher dispatcher;
  @Inject StuckSightings sightings;
  @Inject DeliveryStore store;
  @Inject Vertx vertx;
  @Inject ObjectMapper json;
  @Inject io.agroal.api.AgroalDataSource dataSource;

  private Receiver receiver;

  record Subscription(UUID id, String secret) {}

  @BeforeEach
  void start() throws Exception {
    fixtures.reset();
    receiver = new Receiver(vertx);
  }

  @AfterEach
  void stop() throws Exception {
    receiver.release();
    receiver.close();
  }

  private Subscription subscribe(List<String> types) {
    Response created =
        operator()
            .contentType(ContentType.JSON)
            .body(Map.of("url", receiver.url(), "eventTypes", types, "description", "test"))
            .post("/api/v1/subscriptions");
    created.then().statusCode(201);
    return new Subscription(UUID.fromString(created.path("id")), created.path("secret").toString());
  }

  private void checkEvery15SecondsFor(Duration span) {
    for (long waited = 0; waited < span.toSeconds(); waited += 15) {
      clock.advance(Duration.ofSeconds(15));
      cycle.runOnce().await().atMost(AWAIT);
    }
  }

  private UUID succeeded(String workflow) {
    simulator.scriptFor(
        workflow, ExecutionScript.succeeds(Duration.ZERO, Duration.ofSeconds(20), 3));
    UUID execution = fixtures.submit(fixtures.savedWorkflow(workflow));
    cycle.runOnce().await().atMost(AWAIT);
    clock.advance(Duration.ofSeconds(30));
    cycle.runOnce().await().atMost(AWAIT);
    assertThat(fixtures.status(execution)).isEqualTo("SUCCESS");
    downloads.downloadAll();
    return execution;
  }

  private JsonNode body(Receiver.Received received) throws Exception {
    return json.readTree(received.body());
  }

  private static boolean signedBy(String secret, Receiver.Received received) {
    return ReceiverSideVerifier.verifies(
        secret,
        received.header("webhook-id"),
        received.header("webhook-timestamp"),
        received.body(),
        received.header("webhook-signature"));
  }

  private void deliverAll() {
    while (dispatcher.runOnce() > 0) {
      // until nothing due is left
    }
  }

  @Test
  void shouldDeliverEveryKindOfEventOnceSignedWithTheExecutionAsTheApiShowsIt() throws Exception {
    Subscription subscription = subscribe(ALL);

    UUID success = succeeded("wf_ok");

    simulator.scriptFor(
        "wf_bad", ExecutionScript.failsWithQueryError(Duration.ZERO, Duration.ofSeconds(20)));
    UUID failed = fixtures.submit(fixtures.savedWorkflow("wf_bad"));
    cycle.runOnce().await().atMost(AWAIT);
    clock.advance(Duration.ofSeconds(30));
    cycle.runOnce().await().atMost(AWAIT);
    assertThat(fixtures.status(failed)).isEqualTo("FAILED");

    Fixtures.Tracked running = fixtures.trackLongRunning("wf_cancel");
    cycle.runOnce().await().atMost(AWAIT);
    operator().post("/api/v1/executions/{id}/cancel", running.execution()).then().statusCode(200);
    assertThat(fixtures.status(running.execution())).isEqualTo("CANCELLED");

    UUID slowWorkflow = fixtures.savedWorkflowWithLimits("wf_slow", 60, 30);
    UUID slow =
        fixtures.track(
            slowWorkflow,
            simulator.preload(
                Fixtures.INSTANCE,
                "wf_slow",
                ExecutionScript.succeeds(Duration.ZERO, Duration.ofHours(3), 1)));
    cycle.runOnce().await().atMost(AWAIT);
    checkEvery15SecondsFor(Duration.ofSeconds(120));
    assertThat(fixtures.status(slow)).isEqualTo("TIMEOUT");

    deliverAll();

    List<Receiver.Received> received = receiver.received();
    assertThat(received).allSatisfy(r -> assertThat(signedBy(subscription.secret(), r)).isTrue());
    Map<String, UUID> sent = new java.util.HashMap<>();
    for (Receiver.Received r : received) {
      JsonNode body = body(r);
      assertThat(body.path("id").asText()).isEqualTo(r.header("webhook-id"));
      sent.put(
          body.path("type").asText()
              + " "
              + body.path("data").path("execution").path("id").asText(),
          UUID.fromString(body.path("data").path("execution").path("id").asText()));
    }
    assertThat(sent.keySet())
        .containsExactlyInAnyOrder(
            "execution.succeeded " + success,
            "execution.failed " + failed,
            "execution.cancelled " + running.execution(),
            "execution.long_running " + slow,
            "execution.timed_out " + slow);
    assertThat(received).hasSize(5);

    JsonNode succeeded =
        received.stream()
            .map(this::bodyOrFail)
            .filter(b -> b.path("type").asText().equals("execution.succeeded"))
            .findFirst()
            .orElseThrow();
    assertThat(succeeded.path("data").path("execution").path("status").asText())
        .isEqualTo("SUCCESS");
    assertThat(succeeded.path("data").path("execution").path("result").path("status").asText())
        .isEqualTo("STORED");
    assertThat(succeeded.path("data").path("execution").path("result").path("rowCount").asLong())
        .isEqualTo(3);
    assertThat(succeeded.path("data").path("resultPath").asText())
        .isEqualTo("/api/v1/executions/" + success + "/results");
    assertThat(succeeded.toString()).doesNotContain("X-Amz-Signature").doesNotContain("whsec_");

    Response deliveries = viewer().queryParam("executionId", slow).get("/api/v1/deliveries");
    deliveries.then().statusCode(200);
    assertThat(deliveries.jsonPath().getList("eventType"))
        .containsExactly("execution.long_running", "execution.timed_out");
    assertThat(deliveries.jsonPath().getList("status")).containsOnly("DELIVERED");
    assertThat(deliveries.jsonPath().getList("lastStatusCode")).containsOnly(200);
  }

  private JsonNode bodyOrFail(Receiver.Received received) {
    try {
      return body(received);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void shouldRetryAFailedDeliveryAfterAJitteredBackoffWithTheSameIdAndBody() {
    Subscription subscription = subscribe(List.of("execution.succeeded"));
    receiver.answer(500);
    UUID execution = succeeded("wf_retry");
    Instant first = clock.instant();

    assertThat(dispatcher.runOnce()).isEqualTo(1);
    DeliveryView failed = only(execution);
    assertThat(failed.status()).isEqualTo(DeliveryStatus.PENDING);
    assertThat(failed.attempts()).isEqualTo(1);
    assertThat(failed.lastStatusCode()).isEqualTo(500);
    assertThat(failed.lastError()).isEqualTo("answered 500");
    assertThat(failed.nextAttemptAt())
        .isAfterOrEqualTo(first.plusSeconds(1))
        .isBeforeOrEqualTo(first.plusSeconds(30));

    assertThat(dispatcher.runOnce()).as("not due before its backoff ends").isZero();
    clock.set(failed.nextAttemptAt());
    assertThat(dispatcher.runOnce()).isEqualTo(1);

    DeliveryView delivered = only(execution);
    assertThat(delivered.status()).isEqualTo(DeliveryStatus.DELIVERED);
    assertThat(delivered.attempts()).isEqualTo(2);
    List<Receiver.Received> received = receiver.received();
    assertThat(received).hasSize(2);
    assertThat(received.get(1).header("webhook-id"))
        .isEqualTo(received.get(0).header("webhook-id"));
    assertThat(received.get(1).body()).isEqualTo(received.get(0).body());
    assertThat(received).allSatisfy(r -> assertThat(signedBy(subscription.secret(), r)).isTrue());
  }

  @Test
  void shouldMarkADeliveryDeadOnceItsMaxAgeHasPassed() {
    subscribe(List.of("execution.succeeded"));
    UUID execution = succeeded("wf_dead");
    Instant occurred = clock.instant();
    for (int i = 0; i < 200; i++) {
      receiver.answer(503);
    }

    int attempts = 0;
    while (only(execution).status() == DeliveryStatus.PENDING && attempts < 200) {
      clock.set(only(execution).nextAttemptAt());
      assertThat(dispatcher.runOnce()).isEqualTo(1);
      attempts++;
    }

    DeliveryView dead = only(execution);
    assertThat(dead.status()).isEqualTo(DeliveryStatus.DEAD);
    assertThat(dead.nextAttemptAt()).isNull();
    assertThat(dead.lastAttemptAt()).isBeforeOrEqualTo(occurred.plus(Duration.ofDays(3)));
    assertThat(dead.attempts()).isEqualTo(attempts).isGreaterThan(5);
    clock.advance(Duration.ofDays(30));
    assertThat(dispatcher.runOnce()).as("a dead delivery is not tried again").isZero();

    receiver.clear();
    operator().post("/api/v1/deliveries/{id}/redeliver", dead.id()).then().statusCode(200);
    assertThat(dispatcher.runOnce()).isEqualTo(1);
    assertThat(only(execution).status()).isEqualTo(DeliveryStatus.DELIVERED);
    assertThat(receiver.received().get(0).header("webhook-id")).isEqualTo(dead.id().toString());
  }

  @Test
  void shouldDeliverAFailedResultAndAStuckExecutionEndToEnd() throws Exception {
    Subscription subscription = subscribe(List.of("result.failed", "execution.stuck"));
    byte[] ragged = "a,b,c\r\n1,2,3\r\n4,5\r\n".getBytes(StandardCharsets.UTF_8);
    UUID failedResult =
        results.succeeded(
            "wf_ragged_hook", 0, List.of(ResultFile.literal("part-00000.csv", ragged, "text/csv")));
    downloads.downloadAll();
    assertThat(fixtures.events(failedResult)).contains("RESULT_FAILED");
    UUID neverChecked = fixtures.submit(fixtures.savedWorkflow("wf_stuck_hook"));
    clock.advance(Duration.ofHours(3));
    int sighted = sightings.record();
    assertThat(sighted).isPositive();

    deliverAll();

    List<Receiver.Received> received = receiver.received();
    assertThat(received).allSatisfy(r -> assertThat(signedBy(subscription.secret(), r)).isTrue());
    List<String> sent = new java.util.ArrayList<>();
    for (Receiver.Received r : received) {
      JsonNode body = body(r);
      sent.add(
          body.path("type").asText()
              + " "
              + body.path("data").path("execution").path("id").asText());
      if (body.path("type").asText().equals("result.failed")) {
        assertThat(body.path("data").path("execution").path("result").path("status").asText())
            .isEqualTo("FAILED");
      }
    }
    assertThat(sent)
        .contains("result.failed " + failedResult, "execution.stuck " + neverChecked)
        .filteredOn(kind -> kind.startsWith("execution.stuck "))
        .as("one per sighting")
        .hasSize(sighted);
    assertThat(sent).filteredOn(kind -> kind.startsWith("result.failed ")).hasSize(1);
  }

  @Test
  void shouldNeverFollowARedirect() {
    subscribe(List.of("execution.succeeded"));
    receiver.answer(302);
    UUID execution = succeeded("wf_redirect");

    dispatcher.runOnce();

    assertThat(receiver.received()).extracting(Receiver.Received::path).containsExactly("/hook");
    assertThat(only(execution).status()).isEqualTo(DeliveryStatus.PENDING);
    assertThat(only(execution).lastStatusCode()).isEqualTo(302);
  }

  @Test
  void shouldRefuseSubscriptionsToHostsNotAllowedOrWithCredentials() {
    for (String url :
        List.of(
            "https://example.com/hook",
            "http://169.254.169.254/latest",
            "http://user:pw@localhost/hook",
            "ftp://localhost/hook",
            "not a url")) {
      operator()
          .contentType(ContentType.JSON)
          .body(Map.of("url", url, "eventTypes", List.of("execution.failed")))
          .post("/api/v1/subscriptions")
          .then()
          .statusCode(400);
    }
    operator()
        .contentType(ContentType.JSON)
        .body(Map.of("url", receiver.url(), "eventTypes", List.of("execution.finished")))
        .post("/api/v1/subscriptions")
        .then()
        .statusCode(400);
  }

  @Test
  void shouldShowTheSecretOnceAndSignWithBothSecretsDuringTheGraceAfterARotation() {
    Subscription subscription = subscribe(List.of("execution.succeeded"));
    Response shown = viewer().get("/api/v1/subscriptions/{id}", subscription.id());
    shown.then().statusCode(200);
    assertThat(shown.asString()).doesNotContain(subscription.secret()).doesNotContain("whsec_");
    assertThat(viewer().get("/api/v1/subscriptions").asString()).doesNotContain("whsec_");

    Response rotated =
        operator().post("/api/v1/subscriptions/{id}/rotate-secret", subscription.id());
    rotated.then().statusCode(200);
    String newSecret = rotated.path("secret");
    assertThat(newSecret).startsWith("whsec_").isNotEqualTo(subscription.secret());
    assertThat(viewer().get("/api/v1/subscriptions/{id}", subscription.id()).asString())
        .doesNotContain("whsec_");

    succeeded("wf_rotate");
    dispatcher.runOnce();
    Receiver.Received during = receiver.received().get(0);
    assertThat(signedBy(newSecret, during)).isTrue();
    assertThat(signedBy(subscription.secret(), during)).as("old secret in its grace").isTrue();

    clock.advance(Duration.ofHours(25));
    succeeded("wf_rotate_later");
    dispatcher.runOnce();
    Receiver.Received after = receiver.received().get(1);
    assertThat(signedBy(newSecret, after)).isTrue();
    assertThat(signedBy(subscription.secret(), after)).as("old secret after its grace").isFalse();
  }

  @Test
  void shouldHoldAPausedSubscriptionsDeliveriesUntilItResumes() {
    Subscription subscription = subscribe(List.of("execution.succeeded"));
    operator().post("/api/v1/subscriptions/{id}/pause", subscription.id()).then().statusCode(200);
    UUID execution = succeeded("wf_paused");

    assertThat(dispatcher.runOnce()).isZero();
    assertThat(only(execution).status()).isEqualTo(DeliveryStatus.PENDING);

    operator().post("/api/v1/subscriptions/{id}/resume", subscription.id()).then().statusCode(200);
    assertThat(dispatcher.runOnce()).isEqualTo(1);
    assertThat(only(execution).status()).isEqualTo(DeliveryStatus.DELIVERED);
  }

  @Test
  void shouldNotSendADeliveryFromASecondReplicaWhileTheFirstIsSendingIt() throws Exception {
    subscribe(List.of("execution.succeeded"));
    UUID execution = succeeded("wf_race");
    CountDownLatch arrived = receiver.holdNext();

    DeliveryDispatcher.Batch first = dispatcher.dispatch("replica-a");
    assertThat(first.claimed()).isEqualTo(1);
    assertThat(arrived.await(30, TimeUnit.SECONDS)).as("replica a's post arrived").isTrue();

    DeliveryDispatcher.Batch second = dispatcher.dispatch("replica-b");
    assertThat(second.claimed()).as("replica b claims nothing while a holds the lease").isZero();

    receiver.release();
    first.done().get(30, TimeUnit.SECONDS);
    assertThat(receiver.received()).hasSize(1);
    assertThat(only(execution).status()).isEqualTo(DeliveryStatus.DELIVERED);
  }

  @Test
  void shouldSkipADeliveryAnotherReplicaIsClaimingAndRecordNothingAfterALostLease()
      throws Exception {
    subscribe(List.of("execution.succeeded"));
    UUID execution = succeeded("wf_lease");
    UUID delivery = only(execution).id();

    try (java.sql.Connection holder = dataSource.getConnection()) {
      holder.setAutoCommit(false);
      try (var lock =
          holder.prepareStatement("SELECT id FROM webhook_deliveries WHERE id = ? FOR UPDATE")) {
        lock.setObject(1, delivery);
        lock.executeQuery();
      }
      List<ClaimedDelivery> skipped =
          FromBlockingThread.inTransaction(
              () -> store.claim("replica-b", clock.instant(), Duration.ofMinutes(2), 10));
      assertThat(skipped).as("a row being claimed elsewhere is skipped, not waited for").isEmpty();
      holder.rollback();
    }

    Instant now = clock.instant();
    List<ClaimedDelivery> a =
        FromBlockingThread.inTransaction(
            () -> store.claim("replica-a", now, Duration.ofMinutes(2), 10));
    assertThat(a).hasSize(1);
    assertThat(
            FromBlockingThread.inTransaction(
                () -> store.claim("replica-b", now.plusSeconds(60), Duration.ofMinutes(2), 10)))
        .as("a live lease keeps the delivery from replica b")
        .isEmpty();
    Instant ahead = now.plus(Duration.ofMinutes(10));
    assertThat(
            FromBlockingThread.inTransaction(
                () -> store.claim("replica-b", ahead, Duration.ofMinutes(2), 10)))
        .as("a replica whose clock runs past the lease still sees it live on the database's")
        .isEmpty();

    fixtures.update(
        "UPDATE webhook_deliveries SET lease_expires_at = now() - interval '1 second'"
            + " WHERE id = '"
            + delivery
            + "'");
    Instant later = now.plus(Duration.ofMinutes(3));
    assertThat(
            FromBlockingThread.inTransaction(
                () -> store.claim("replica-b", later, Duration.ofMinutes(2), 10)))
        .as("an expired lease is taken over")
        .hasSize(1);
    assertThat(
            FromBlockingThread.inTransaction(
                () ->
                    store.record(
                        List.of(DeliveryStore.Answer.delivered(delivery, 200)),
                        "replica-a",
                        later)))
        .as("replica a's late answer is not recorded over b's attempt")
        .isEmpty();
    assertThat(only(execution).status()).isEqualTo(DeliveryStatus.PENDING);
  }

  @Test
  void shouldOweADeliveryOnlyToSubscriptionsWhoseTypesAndFiltersMatch() {
    subscribe(List.of("execution.failed"));
    UUID other = fixtures.savedWorkflow("wf_other");
    operator()
        .contentType(ContentType.JSON)
        .body(
            Map.of(
                "url", receiver.url(),
                "eventTypes", List.of("execution.succeeded"),
                "workflowId", other.toString()))
        .post("/api/v1/subscriptions")
        .then()
        .statusCode(201);

    UUID execution = succeeded("wf_filtered");

    assertThat(
            fixtures.count(
                "SELECT count(*) FROM webhook_deliveries WHERE execution_id = ?", execution))
        .as("neither the failed-only nor the other workflow's subscription is owed it")
        .isZero();
  }

  private DeliveryView only(UUID execution) {
    List<DeliveryView> deliveries =
        FromBlockingThread.inSession(() -> store.ofExecution(execution, 10));
    assertThat(deliveries).hasSize(1);
    return deliveries.get(0);
  }
}
