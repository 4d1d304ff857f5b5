package io.executionpoller.poll;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.executionpoller.remote.FreshRemoteState;
import io.executionpoller.simulator.AmcSimulator;
import io.executionpoller.simulator.ExecutionScript;
import io.executionpoller.simulator.FaultRates;
import io.executionpoller.support.Fixtures;
import io.executionpoller.support.PostgresResource;
import io.executionpoller.support.TestClock;
import io.executionpoller.support.TestPollConfig;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Outages are not per-execution errors: an instance that fails for everyone opens its breaker and
 * checks are deferred without counting; rejected credentials pause every call; the per-account rate
 * limit holds at the simulator; claims are fair across instances.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class RemoteOutageTest {

  private static final Duration AWAIT = Duration.ofSeconds(60);

  /** The management port of this test run (19001 unless overridden). */
  @ConfigProperty(name = "quarkus.management.test-port")
  int managementPort;

  @Inject PollCycle cycle;
  @Inject AmcSimulator simulator;
  @Inject Fixtures fixtures;
  @Inject TestClock clock;
  @Inject ExecutionStore store;

  @BeforeEach
  void clean() {
    fixtures.reset();
  }

  @AfterEach
  void restore() {
    fixtures.reset();
  }

  private CycleReport runOnce() {
    return cycle.runOnce().await().atMost(AWAIT);
  }

  private List<UUID> runningExecutions(String workflowId, int count) {
    List<UUID> ids =
        fixtures
            .trackMany(
                workflowId,
                count,
                i -> ExecutionScript.succeeds(Duration.ZERO, Duration.ofHours(3), 1))
            .executions();
    runOnce();
    clock.advance(Duration.ofSeconds(15));
    return ids;
  }

  private long errorsCounted() {
    return fixtures.count(
        "SELECT coalesce(sum(consecutive_poll_errors), 0) FROM workflow_executions");
  }

  private long failedExecutions() {
    return fixtures.count("SELECT count(*) FROM workflow_executions WHERE status = 'FAILED'");
  }

  @Test
  void shouldOpenTheBreakerDeferWithoutCountingThenProbeAndClose() {
    runningExecutions("wf_outage", 60);
    simulator.setFaultRates(allServerErrors());

    CycleReport outage = runOnce();

    // The breaker opens after 10 failed calls in a row; with 10 checks in flight a few more fail
    // before it does. Everything else is deferred, and deferrals count against nobody.
    assertThat(outage.failedChecks()).isBetween(10, 20);
    assertThat(outage.deferred()).isEqualTo(60 - outage.failedChecks());
    assertThat(errorsCounted()).isEqualTo(outage.failedChecks());
    given()
        .port(managementPort)
        .get("/q/health/group/remote")
        .then()
        .statusCode(503)
        .body("checks[0].data.'breaker.amcinst01'", equalTo("OPEN"));

    // While open, nothing reaches AMC, however often the loop runs.
    int callsWhileOpen = simulator.totalApiCalls();
    for (int second = 0; second < 25; second++) {
      clock.advance(Duration.ofSeconds(1));
      runOnce();
    }
    assertThat(simulator.totalApiCalls()).isEqualTo(callsWhileOpen);

    // After open-for (30 s) one probe goes; it fails, and the breaker opens again for longer.
    clock.advance(Duration.ofSeconds(10));
    runOnce();
    assertThat(simulator.totalApiCalls() - callsWhileOpen).isBetween(1, 3);

    // AMC recovers; after the doubled open time a probe succeeds and the breaker closes.
    simulator.setFaultRates(FaultRates.none());
    for (int second = 0; second < 200 && failedOrDeferredRemain(); second += 5) {
      clock.advance(Duration.ofSeconds(5));
      runOnce();
    }
    given()
        .port(managementPort)
        .get("/q/health/group/remote")
        .then()
        .statusCode(200)
        .body("checks[0].data.'breaker.amcinst01'", equalTo("CLOSED"));
    assertThat(failedExecutions()).as("an outage fails no execution").isZero();
    assertThat(errorsCounted()).as("every execution checked fine since").isZero();
  }

  private boolean failedOrDeferredRemain() {
    return errorsCounted() > 0
        || fixtures.count(
                "SELECT count(*) FROM workflow_executions WHERE last_polled_at IS NULL"
                    + " OR last_polled_at < ?",
                java.sql.Timestamp.from(clock.instant().minusSeconds(60)))
            > 0;
  }

  private static FaultRates allServerErrors() {
    return new FaultRates(0, 0, 0, 1.0, 0, 0, 0, 0, 0, 0);
  }

  @Test
  void shouldPauseEveryCallWhileTheCredentialsAreRejectedAndFailNothing() {
    List<UUID> executions = runningExecutions("wf_revoked", 20);
    List<String> statusesBefore = executions.stream().map(fixtures::status).toList();
    simulator.rejectCredentials("invalid_grant");
    simulator.revokeTokens();
    fixtures.forgetCachedToken();

    CycleReport paused = runOnce();

    assertThat(paused.deferred()).isEqualTo(20);
    assertThat(paused.failedChecks()).isZero();
    assertThat(errorsCounted()).isZero();
    given()
        .port(managementPort)
        .get("/q/health/group/remote")
        .then()
        .statusCode(503)
        .body("checks[0].data.credentials", equalTo("REJECTED"))
        .body("checks[0].data.credentialsError", equalTo("invalid_grant"));
    given()
        .port(managementPort)
        .get("/q/metrics")
        .then()
        .body(org.hamcrest.Matchers.containsString("poller_remote_credentials_rejected 1.0"));
    int tokenCalls = simulator.tokenCalls();

    // Within the recheck interval (5 min) the token endpoint is not asked again.
    for (int minute = 0; minute < 4; minute++) {
      clock.advance(Duration.ofMinutes(1));
      runOnce();
    }
    assertThat(simulator.tokenCalls()).isEqualTo(tokenCalls);

    simulator.acceptCredentials();
    clock.advance(Duration.ofMinutes(2));
    CycleReport resumed = runOnce();

    assertThat(resumed.failedChecks()).isZero();
    assertThat(resumed.unchanged()).isEqualTo(20);
    assertThat(executions.stream().map(fixtures::status).toList()).isEqualTo(statusesBefore);
    given()
        .port(managementPort)
        .get("/q/health/group/remote")
        .then()
        .statusCode(200)
        .body("checks[0].data.credentials", equalTo("OK"));
  }

  @Test
  void shouldKeepEachAccountUnderItsRateLimitMeasuredAtTheSimulator() {
    runningExecutions("wf_busy", 150);
    double perSecond = 40;
    int burst = 10;
    FreshRemoteState.gateLimitingEveryAccount(perSecond, burst);
    long limitSet = System.nanoTime();

    CycleReport report = runOnce();

    // Calls after the limit was set: every window holds at most burst + rate x window (+1 for
    // the token that refills while a window starts), whatever the window.
    List<Long> limited = new ArrayList<>();
    for (long arrival : simulator.callNanosByAdvertiser(Fixtures.ADVERTISER)) {
      if (arrival > limitSet) {
        limited.add(arrival);
      }
    }
    limited.sort(Long::compare);
    assertThat(limited).hasSize(report.claimed() - report.deferred());
    for (int i = 0; i < limited.size(); i++) {
      for (int j = i + 1; j < limited.size(); j++) {
        double windowSeconds = (limited.get(j) - limited.get(i)) / 1e9;
        int calls = j - i + 1;
        assertThat((double) calls)
            .as("calls %d..%d within %.3f s", i, j, windowSeconds)
            .isLessThanOrEqualTo(burst + perSecond * windowSeconds + 1);
      }
    }
    // With 10 checks in flight a call never waits near max-wait (2 s) at 40/s, so every check
    // goes, paced, and none is deferred or failed.
    assertThat(limited).hasSizeGreaterThanOrEqualTo(150);
    assertThat(report.failedChecks()).isZero();
    assertThat(errorsCounted()).isZero();
  }

  @Test
  void shouldClaimFairlyAcrossInstances() {
    UUID crowded = fixtures.savedWorkflow("wf_crowded");
    UUID quiet = fixtures.savedWorkflow("wf_quiet", "amcinst02");
    fixtures.trackMany(crowded, IntStream.range(0, 500).mapToObj(i -> "crowded-" + i).toList());
    List<UUID> quietOnes =
        fixtures.trackMany(quiet, IntStream.range(0, 10).mapToObj(i -> "quiet-" + i).toList());
    Instant now = clock.instant();

    List<ClaimedExecution> claims =
        store.claim("fairness", now, Duration.ofSeconds(120), 50).await().atMost(AWAIT);

    assertThat(claims).hasSize(50);
    assertThat(claims)
        .extracting(ClaimedExecution::id)
        .as("every due execution of the quiet instance is in the first batch")
        .containsAll(quietOnes);
  }

  @Test
  void shouldHandBackExecutionsWhoseLeaseWouldEndBeforeTheirCheckCould() {
    runningExecutions("wf_short_lease", 5);
    int callsBefore = simulator.totalApiCalls();
    // A check deadline beyond the 2 min lease: no check may start under such a lease.
    PollCycle impatient =
        ReplicaLoops.build(
            TestPollConfig.defaults().withCheckDeadline(Duration.ofMinutes(3)), "short-lease");

    CycleReport report = impatient.runOnce().await().atMost(AWAIT);

    assertThat(report.claimed()).isEqualTo(5);
    assertThat(report.deferred()).isEqualTo(5);
    assertThat(simulator.totalApiCalls()).isEqualTo(callsBefore);
    assertThat(
            fixtures.count(
                "SELECT count(*) FROM workflow_executions WHERE lease_owner IS NOT NULL"))
        .isZero();
    assertThat(errorsCounted()).isZero();
  }
}
