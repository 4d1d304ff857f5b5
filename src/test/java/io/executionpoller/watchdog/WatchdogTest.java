package io.executionpoller.watchdog;

import static io.executionpoller.support.Api.viewer;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.executionpoller.poll.LoopProgress;
import io.executionpoller.poll.PollCycle;
import io.executionpoller.replica.ReplicaIdentity;
import io.executionpoller.simulator.AmcSimulator;
import io.executionpoller.simulator.Fault;
import io.executionpoller.simulator.Operation;
import io.executionpoller.support.Fixtures;
import io.executionpoller.support.PostgresResource;
import io.executionpoller.support.TestClock;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.smallrye.mutiny.subscription.Cancellable;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Liveness follows the poll loop's progress: UP while cycles and checks end, DOWN when nothing has
 * ended for poller.watchdog.stall-after (5 min) by the application clock, UP again when the loop
 * moves. The replica heartbeat shows up in GET /api/v1/replicas.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class WatchdogTest {

  /** The management port of this test run (19001 unless overridden). */
  @ConfigProperty(name = "quarkus.management.test-port")
  int managementPort;

  private static final Duration AWAIT = Duration.ofSeconds(60);

  @Inject PollCycle cycle;
  @Inject AmcSimulator simulator;
  @Inject Fixtures fixtures;
  @Inject TestClock clock;
  @Inject LoopProgress progress;
  @Inject ReplicaHeartbeat heartbeat;
  @Inject ReplicaIdentity replica;

  @BeforeEach
  void clean() {
    fixtures.reset();
  }

  @Test
  void shouldGoDownWhenTheLoopMakesNoProgressAndUpWhenItMovesAgain() {
    cycle.runOnce().await().atMost(AWAIT);
    assertLiveness(200, "UP");

    clock.advance(Duration.ofMinutes(4));
    assertLiveness(200, "UP");
    clock.advance(Duration.ofMinutes(2));
    Response down = assertLiveness(503, "DOWN");
    assertThat(down.jsonPath().getString("checks.find { it.name == 'poll-loop' }.data.stallAfter"))
        .isEqualTo("PT5M");

    cycle.runOnce().await().atMost(AWAIT);
    assertLiveness(200, "UP");
  }

  @Test
  void shouldGoDownWhileACheckHangsAndComeBackWhenItIsAbandoned() throws Exception {
    String remoteId = fixtures.trackLongRunning("wf_watchdog").remoteId();
    cycle.runOnce().await().atMost(AWAIT);
    clock.advance(Duration.ofSeconds(15));
    simulator.scriptFaults(Operation.STATUS, remoteId, List.of(Fault.HANG));

    AtomicBoolean ended = new AtomicBoolean();
    Cancellable running =
        cycle.runOnce().subscribe().with(report -> ended.set(true), failure -> ended.set(true));
    await().atMost(AWAIT).until(() -> progress.snapshot().checksInFlight() == 1);
    // The loop is stuck on that call; by the application clock nothing moved for 6 minutes.
    clock.advance(Duration.ofMinutes(6));
    assertLiveness(503, "DOWN");

    // The call's own timeout ends it; the check ends, the cycle ends, the loop lives.
    await().atMost(AWAIT).untilTrue(ended);
    assertThat(progress.snapshot().checksInFlight()).isZero();
    assertLiveness(200, "UP");
    running.cancel();
  }

  @Test
  void shouldListThisReplicaFromItsHeartbeat() throws Exception {
    cycle.runOnce().await().atMost(AWAIT);
    heartbeat.beat(null);

    Response replicas = viewer().get("/api/v1/replicas");

    replicas.then().statusCode(200);
    String self = "find { it.replicaId == '" + replica.id() + "' }";
    assertThat(replicas.jsonPath().getBoolean(self + ".alive")).isTrue();
    assertThat(replicas.jsonPath().getBoolean(self + ".polling"))
        .as("tests drive the loop")
        .isFalse();
    assertThat(replicas.jsonPath().getString(self + ".host")).isNotBlank();
    assertThat(replicas.jsonPath().getString(self + ".lastCycleAt")).isNotNull();
    assertThat(replicas.jsonPath().getInt(self + ".checksInFlight")).isZero();

    heartbeat.beat(clock.instant());
    assertThat(viewer().get("/api/v1/replicas").jsonPath().getBoolean(self + ".alive"))
        .as("a stopped replica is not alive")
        .isFalse();
    clock.advance(Duration.ofMinutes(1));
    heartbeat.beat(null);
    clock.advance(Duration.ofMinutes(1));
    assertThat(viewer().get("/api/v1/replicas").jsonPath().getBoolean(self + ".alive"))
        .as("three missed beats")
        .isFalse();
  }

  @Test
  void shouldBeReadyWithEveryMigrationApplied() {
    Response ready = given().port(managementPort).get("/q/health/ready");

    ready.then().statusCode(200);
    String migrations = "checks.find { it.name == 'migrations' }";
    assertThat(ready.jsonPath().getString(migrations + ".status")).isEqualTo("UP");
    assertThat(ready.jsonPath().getString(migrations + ".data.version"))
        .isEqualTo(String.valueOf(newestMigration()));
    assertThat(ready.jsonPath().getInt(migrations + ".data.pending")).isZero();
  }

  private Response assertLiveness(int status, String loopStatus) {
    Response response = given().port(managementPort).get("/q/health/live");
    response.then().statusCode(status);
    assertThat(response.jsonPath().getString("checks.find { it.name == 'poll-loop' }.status"))
        .isEqualTo(loopStatus);
    return response;
  }

  /** The highest V<n>__ file under db/migration: the version every replica must report. */
  private static int newestMigration() {
    try (var files = Files.list(Path.of("src/main/resources/db/migration"))) {
      return files
          .map(file -> file.getFileName().toString())
          .filter(name -> name.matches("V\\d+__.*\\.sql"))
          .mapToInt(name -> Integer.parseInt(name.substring(1, name.indexOf("__"))))
          .max()
          .orElseThrow();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
