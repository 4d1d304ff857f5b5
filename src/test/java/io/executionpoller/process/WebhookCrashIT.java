package io.executionpoller.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.executionpoller.crashpoint.CrashPoint;
import io.executionpoller.crashpoint.CrashPoints;
import io.executionpoller.notify.Receiver;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * At least once, with the packaged daemon: it is killed with SIGKILL after a receiver in this JVM
 * answered a webhook and before the answer was recorded. A second daemon sends the delivery again,
 * once, with the same webhook-id and body, and records it delivered.
 */
class WebhookCrashIT {

  private static final Duration INTERVAL = Duration.ofSeconds(1);
  private static final Duration LEASE = Duration.ofSeconds(8);
  private static final Pattern MARKER =
      Pattern.compile(CrashPoints.MARKER + " " + CrashPoint.AFTER_WEBHOOK_SENT + " execution=\\S+");

  private static final Workload.Kind SMALL =
      Workload.succeeds("hook_small", Duration.ofSeconds(1), Duration.ofSeconds(1), 3);

  @RegisterExtension static final AmcPerClass AMC = new AmcPerClass("webhook-crash-amc");

  @Test
  void shouldSendADeliveryAgainWithTheSameIdWhenKilledBetweenTheAnswerAndItsRecord()
      throws Exception {
    Vertx vertx = Vertx.vertx();
    Workload workload = new Workload("ENTITYHOOKCRASH").add(SMALL, 1, 1);
    workload.script(AMC.get());
    try (Receiver receiver = new Receiver(vertx);
        ScratchDatabase database = ScratchDatabase.create("webhook_crash");
        Daemons daemons = new Daemons()) {
      PackagedDaemon first =
          daemons.start(
              "webhook-crash-1",
              settings(database, "crashing-webhooks", receiver, CrashPoint.AFTER_WEBHOOK_SENT));
      first.awaitReady(Duration.ofSeconds(90));
      database.update(
          "INSERT INTO webhook_subscriptions (id, url, event_types, enabled, secret, created_at,"
              + " updated_at) VALUES (?, ?, ARRAY['execution.succeeded'], true,"
              + " 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', now(), now())",
          UUID.randomUUID(),
          receiver.url());
      workload.register(database);

      first.awaitLine(MARKER, Duration.ofSeconds(90));
      first.kill();
      database.awaitSessionsClosedOf(first);
      assertThat(receiver.received()).as("the receiver answered the first attempt").hasSize(1);
      Map<String, Object> held = database.query("SELECT * FROM webhook_deliveries").get(0);
      assertThat(held.get("status")).isEqualTo("PENDING");
      assertThat(held.get("attempts")).as("its answer was never recorded").isEqualTo(0);
      assertThat(held.get("lease_owner")).isEqualTo("crashing-webhooks");

      PackagedDaemon second =
          daemons.start(
              "webhook-crash-2", settings(database, "restarted-webhooks", receiver, null));
      second.awaitReady(Duration.ofSeconds(90));
      Waits.until(
          "the delivery was sent again and recorded",
          Duration.ofSeconds(60),
          Duration.ofMillis(200),
          () ->
              database.count("SELECT count(*) FROM webhook_deliveries WHERE status = 'DELIVERED'")
                  == 1,
          () -> second.tail(40));

      List<Receiver.Received> received = receiver.received();
      assertThat(received).as("sent once more, not more").hasSize(2);
      assertThat(received.get(1).header("webhook-id"))
          .isEqualTo(received.get(0).header("webhook-id"))
          .isEqualTo(held.get("id").toString());
      assertThat(received.get(1).body()).isEqualTo(received.get(0).body());
      Map<String, Object> delivered = database.query("SELECT * FROM webhook_deliveries").get(0);
      assertThat(delivered.get("attempts")).isEqualTo(1);
      assertThat(delivered.get("lease_owner")).isNull();
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().join();
    }
  }

  private static Map<String, String> settings(
      ScratchDatabase database, String replica, Receiver receiver, CrashPoint point) {
    Map<String, String> env = DaemonSettings.replica(database, AMC.get(), replica, INTERVAL, LEASE);
    env.put("POLLER_NOTIFICATIONS_ALLOWED_HOSTS", "127.0.0.1");
    env.put("POLLER_NOTIFICATIONS_REQUIRE_HTTPS", "false");
    env.put("POLLER_NOTIFICATIONS_LEASE_DURATION", LEASE.toString());
    // A short lease for a quick redelivery needs a batch that fits in it (the boot refuses
    // otherwise): one round of posts of at most 2 s + 3 s against 3/4 of 8 s.
    env.put("POLLER_NOTIFICATIONS_BATCH_SIZE", "16");
    env.put("POLLER_NOTIFICATIONS_CONNECT_TIMEOUT", "2S");
    env.put("POLLER_NOTIFICATIONS_REQUEST_TIMEOUT", "3S");
    if (point != null) {
      env.put("POLLER_CRASH_POINT", point.name());
    }
    return env;
  }
}
