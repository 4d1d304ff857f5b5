package io.executionpoller.notify;

import static io.executionpoller.support.Api.operator;
import static org.assertj.core.api.Assertions.assertThat;

import io.executionpoller.db.FromBlockingThread;
import io.executionpoller.poll.PollCycle;
import io.executionpoller.support.Fixtures;
import io.executionpoller.support.PostgresResource;
import io.executionpoller.support.TestClock;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Deliveries over https, end to end: a receiver whose self-signed certificate the webhook client
 * trusts (the test-only trust setting, {@link WebhookTlsResource}) gets a signed delivery with its
 * host name verified; a receiver whose certificate it does not trust gets nothing, and the attempt
 * fails, classified, and is tried again later.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
@WithTestResource(WebhookTlsResource.class)
class WebhookHttpsTest {

  private static final Duration AWAIT = Duration.ofSeconds(60);
  private static final String QUERY_TOKEN = "tok_https_never_shown_91c2";

  @Inject PollCycle cycle;
  @Inject Fixtures fixtures;
  @Inject TestClock clock;
  @Inject DeliveryDispatcher dispatcher;
  @Inject DeliveryStore store;
  @Inject Vertx vertx;

  @BeforeEach
  void start() {
    fixtures.reset();
  }

  @Test
  void shouldDeliverSignedToAnHttpsReceiverWhoseCertificateIsTrusted() throws Exception {
    try (Receiver receiver =
        Receiver.https(vertx, WebhookTlsResource.TRUSTED, WebhookTlsResource.PASSWORD)) {
      String secret = subscribe(receiver.url() + "?token=" + QUERY_TOKEN);
      UUID execution = cancelled("wf_https_ok");

      assertThat(dispatcher.runOnce()).isEqualTo(1);

      DeliveryView delivered = only(execution);
      assertThat(delivered.status()).isEqualTo(DeliveryStatus.DELIVERED);
      assertThat(delivered.lastStatusCode()).isEqualTo(200);
      List<Receiver.Received> received = receiver.received();
      assertThat(received).hasSize(1);
      Receiver.Received one = received.get(0);
      assertThat(one.header("webhook-id")).isEqualTo(delivered.id().toString());
      assertThat(
              ReceiverSideVerifier.verifies(
                  secret,
                  one.header("webhook-id"),
                  one.header("webhook-timestamp"),
                  one.body(),
                  one.header("webhook-signature")))
          .as("signed with the subscription's secret")
          .isTrue();
      assertThat(one.body()).contains("execution.cancelled").contains(execution.toString());
    }
  }

  @Test
  void shouldRefuseAnUntrustedCertificateAndTryAgainLaterWithoutShowingASecret() throws Exception {
    try (Receiver receiver =
        Receiver.https(vertx, WebhookTlsResource.UNTRUSTED, WebhookTlsResource.PASSWORD)) {
      String secret = subscribe(receiver.url() + "?token=" + QUERY_TOKEN);
      UUID execution = cancelled("wf_https_untrusted");
      Instant first = clock.instant();

      assertThat(dispatcher.runOnce()).isEqualTo(1);

      DeliveryView failed = only(execution);
      assertThat(receiver.received()).as("nothing reaches an untrusted receiver").isEmpty();
      assertThat(failed.status()).as("tried again later").isEqualTo(DeliveryStatus.PENDING);
      assertThat(failed.attempts()).isEqualTo(1);
      assertThat(failed.lastStatusCode()).isNull();
      assertThat(failed.lastError())
          .as("classified as a TLS failure")
          .startsWith("SSLHandshakeException")
          .doesNotContain(QUERY_TOKEN)
          .doesNotContain(secret)
          .doesNotContain("whsec_");
      assertThat(failed.nextAttemptAt()).isAfter(first);

      Response api = operator().get("/api/v1/deliveries/{id}", failed.id());
      api.then().statusCode(200);
      assertThat(api.asString()).doesNotContain(QUERY_TOKEN).doesNotContain(secret);

      assertThat(dispatcher.runOnce()).as("not due before its backoff ends").isZero();
      clock.set(failed.nextAttemptAt());
      assertThat(dispatcher.runOnce()).isEqualTo(1);
      DeliveryView again = only(execution);
      assertThat(again.attempts()).isEqualTo(2);
      assertThat(again.status()).isEqualTo(DeliveryStatus.PENDING);
      assertThat(again.lastError()).startsWith("SSLHandshakeException");
      assertThat(receiver.received()).isEmpty();
    }
  }

  private String subscribe(String url) {
    Response created =
        operator()
            .contentType(ContentType.JSON)
            .body(Map.of("url", url, "eventTypes", List.of("execution.cancelled")))
            .post("/api/v1/subscriptions");
    created.then().statusCode(201);
    return created.path("secret").toString();
  }

  private UUID cancelled(String workflow) {
    Fixtures.Tracked running = fixtures.trackLongRunning(workflow);
    cycle.runOnce().await().atMost(AWAIT);
    operator().post("/api/v1/executions/{id}/cancel", running.execution()).then().statusCode(200);
    return running.execution();
  }

  private DeliveryView only(UUID execution) {
    List<DeliveryView> deliveries =
        FromBlockingThread.inSession(() -> store.ofExecution(execution, 10));
    assertThat(deliveries).hasSize(1);
    return deliveries.get(0);
  }
}
