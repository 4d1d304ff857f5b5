package io.executionpoller.poll;

import static org.assertj.core.api.Assertions.assertThat;

import io.executionpoller.simulator.AmcSimulator;
import io.executionpoller.simulator.ExecutionScript;
import io.executionpoller.support.Fixtures;
import io.executionpoller.support.PostgresResource;
import io.executionpoller.support.TestClock;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The loop end to end: real PostgreSQL, the simulator over real HTTP, time moved by hand. */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class PollCycleTest {

  private static final Duration AWAIT = Duration.ofSeconds(60);

  @Inject PollCycle cycle;
  @Inject AmcSimulator simulator;
  @Inject Fixtures fixtures;
  @Inject TestClock clock;

  @BeforeEach
  void clean() {
    fixtures.reset();
  }

  private CycleReport runOnce() {
    return cycle.runOnce().await().atMost(AWAIT);
  }

  @Test
  void shouldTrackSubmittedExecutionsToEachTerminalStatusWithEveryTransitionRecorded() {
    simulator.scriptFor(
        "wf_ok", ExecutionScript.succeeds(Duration.ofSeconds(20), Duration.ofSeconds(40), 3));
    simulator.scriptFor(
        "wf_failing",
        ExecutionScript.ends(
            Duration.ofSeconds(20),
            Duration.ofSeconds(40),
            "FAILED",
            "SQL compilation error: unknown column 'clickz'"));
    simulator.scriptFor(
        "wf_cancelled",
        ExecutionScript.ends(
            Duration.ofSeconds(20), Duration.ofSeconds(40), "CANCELLED", "Cancelled by user"));
    UUID ok = fixtures.submit(fixtures.savedWorkflow("wf_ok"));
    UUID failing = fixtures.submit(fixtures.savedWorkflow("wf_failing"));
    UUID cancelled = fixtures.submit(fixtures.savedWorkflow("wf_cancelled"));

    CycleReport submission = runOnce();
    assertThat(submission.claimed()).isEqualTo(3);
    assertThat(simulator.createCalls()).isEqualTo(3);
    for (UUID id : List.of(ok, failing, cancelled)) {
      Map<String, Object> row = fixtures.execution(id);
      assertThat(row.get("status")).isEqualTo("PENDING");
      assertThat(row.get("amc_execution_id")).isNotNull();
      assertThat(row.get("submitted_at")).isNotNull();
    }

    clock.advance(Duration.ofSeconds(30));
    runOnce();
    assertThat(List.of(fixtures.status(ok), fixtures.status(failing), fixtures.status(cancelled)))
        .containsOnly("RUNNING");

    clock.advance(Duration.ofSeconds(45));
    CycleReport finish = runOnce();
    assertThat(finish.transitions()).isEqualTo(3);

    assertThat(fixtures.status(ok)).isEqualTo("SUCCESS");
    Map<String, Object> failed = fixtures.execution(failing);
    assertThat(failed.get("status")).isEqualTo("FAILED");
    assertThat(failed.get("status_reason"))
        .isEqualTo("SQL compilation error: unknown column 'clickz'");
    assertThat(failed.get("error_type")).isEqualTo("QUERY_ERROR");
    assertThat(failed.get("error_message"))
        .isEqualTo("SQL compilation error: unknown column 'clickz'");
    Map<String, Object> cancel = fixtures.execution(cancelled);
    assertThat(cancel.get("status")).isEqualTo("CANCELLED");
    assertThat(cancel.get("status_reason")).isEqualTo("Cancelled by user");
    assertThat(cancel.get("completed_at")).isNotNull();

    assertThat(fixtures.events(ok))
        .containsExactly(
            "REGISTERED null->PENDING",
            "SUBMITTED",
            "TRANSITION PENDING->RUNNING",
            "TRANSITION RUNNING->SUCCESS");
    assertThat(fixtures.events(failing)).endsWith("TRANSITION RUNNING->FAILED");
    assertThat(fixtures.events(cancelled)).endsWith("TRANSITION RUNNING->CANCELLED");
    assertThat(fixtures.execution(ok).get("execution_duration")).isEqualTo(45);

    clock.advance(Duration.ofMinutes(5));
    assertThat(runOnce().claimed()).as("terminal executions are never polled again").isZero();
  }

  @Test
  void shouldWalkThroughRunningWhenTheRemoteFinishedBetweenTwoChecks() {
    String remoteId =
        simulator.preload(
            Fixtures.INSTANCE,
            "wf_fast",
            ExecutionScript.succeeds(Duration.ofSeconds(10), Duration.ofSeconds(5), 1));
    UUID id = fixtures.track(fixtures.savedWorkflow("wf_fast"), remoteId);

    runOnce();
    assertThat(fixtures.status(id)).isEqualTo("PENDING");
    assertThat(fixtures.execution(id).get("remote_status")).isEqualTo("PENDING");

    clock.advance(Duration.ofSeconds(20));
    CycleReport report = runOnce();

    assertThat(report.transitions()).isEqualTo(2);
    assertThat(fixtures.status(id)).isEqualTo("SUCCESS");
    assertThat(fixtures.execution(id).get("started_at")).isNotNull();
    assertThat(fixtures.events(id))
        .containsExactly(
            "REGISTERED null->PENDING",
            "TRANSITION PENDING->RUNNING",
            "TRANSITION RUNNING->SUCCESS");
  }

  @Test
  void shouldRecordButNeverApplyAnUnknownRemoteStatus() {
    String remoteId =
        simulator.preload(
            Fixtures.INSTANCE,
            "wf_odd",
            ExecutionScript.ends(Duration.ZERO, Duration.ZERO, "ARCHIVED", null));
    UUID id = fixtures.track(fixtures.savedWorkflow("wf_odd"), remoteId);

    runOnce();
    clock.advance(Duration.ofSeconds(15));
    runOnce();

    Map<String, Object> row = fixtures.execution(id);
    assertThat(row.get("status")).isEqualTo("PENDING");
    assertThat(row.get("remote_status")).isEqualTo("ARCHIVED");
    assertThat(row.get("poll_count")).isEqualTo(2);
    assertThat(fixtures.events(id))
        .as("recorded once, when first seen")
        .containsExactly("REGISTERED null->PENDING", "UNKNOWN_REMOTE_STATUS");
  }

  @Test
  void shouldRefreshTheTokenOncePerExpiryNotOncePerCheck() {
    UUID workflow = fixtures.savedWorkflow("wf_long");
    List<String> remoteIds =
        fixtures.preloadMany(
            "wf_long", 10, i -> ExecutionScript.succeeds(Duration.ZERO, Duration.ofHours(5), 1));
    remoteIds.forEach(remoteId -> fixtures.track(workflow, remoteId));

    runOnce();
    int afterFirstCycle = simulator.tokenCalls();
    for (int i = 0; i < 3; i++) {
      clock.advance(Duration.ofSeconds(15));
      runOnce();
    }
    assertThat(simulator.tokenCalls()).as("cached across 40 checks").isEqualTo(afterFirstCycle);

    clock.advance(Duration.ofMinutes(61));
    runOnce();
    assertThat(simulator.tokenCalls())
        .as("one refresh for the expiry")
        .isEqualTo(afterFirstCycle + 1);

    // Revoked early: AMC answers 401, the client refreshes once and retries; no check fails.
    simulator.revokeTokens();
    clock.advance(Duration.ofSeconds(15));
    CycleReport report = runOnce();
    assertThat(simulator.tokenCalls()).isEqualTo(afterFirstCycle + 2);
    assertThat(report.failedChecks()).isZero();
    assertThat(fixtures.count("SELECT count(*) FROM workflow_executions WHERE status = 'RUNNING'"))
        .isEqualTo(10);
  }

  @Test
  void shouldNeverHaveMoreStatusRequestsInFlightThanTheConfiguredLimit() {
    int limit = 4;
    simulator.setLatency(Duration.ofMillis(40));
    fixtures.trackMany(
        "wf_busy", 60, i -> ExecutionScript.succeeds(Duration.ZERO, Duration.ofHours(1), 1));
    PollCycle limited =
        ReplicaLoops.build(
            io.executionpoller.support.TestPollConfig.defaults()
                .withConcurrency(limit)
                .withBatchSize(25),
            "limited");

    CycleReport report = limited.runOnce().await().atMost(AWAIT);

    assertThat(report.claimed()).isEqualTo(60);
    assertThat(simulator.maxConcurrentStatusRequests()).isLessThanOrEqualTo(limit);
    assertThat(simulator.maxConcurrentStatusRequests())
        .as("the limit is actually used")
        .isEqualTo(limit);
  }
}
