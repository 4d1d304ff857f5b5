package io.executionpoller.poll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.executionpoller.remote.AmcConfig;
import io.executionpoller.simulator.AmcSimulator;
import io.executionpoller.simulator.Fault;
import io.executionpoller.simulator.Operation;
import io.executionpoller.support.Fixtures;
import io.executionpoller.support.PostgresResource;
import io.executionpoller.support.TestClock;
import io.executionpoller.support.TestPollConfig;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A stopping replica (as on SIGTERM) claims nothing more, gives the cycle in flight its grace, then
 * releases the leases it still holds; a check that outlives the grace cannot write after.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class GracefulStopTest {

  private static final Duration AWAIT = Duration.ofSeconds(60);

  @Inject AmcSimulator simulator;
  @Inject Fixtures fixtures;
  @Inject TestClock clock;
  @Inject AmcConfig amc;
  @Inject PollConfig poll;

  private UUID execution;
  private String remoteId;

  @BeforeEach
  void runningExecution() {
    fixtures.reset();
    Fixtures.Tracked tracked = fixtures.trackLongRunning("wf_stopping");
    remoteId = tracked.remoteId();
    execution = tracked.execution();
  }

  @Test
  void shouldLetACheckInFlightFinishAndWriteItsOutcomeWithinTheGraceThenReleaseNothingItWrote() {
    PollCycle stopping = ReplicaLoops.build(TestPollConfig.defaults(), "replica-stopping");
    simulator.scriptFaults(Operation.STATUS, remoteId, List.of(Fault.HELD));
    AtomicReference<CycleReport> report = new AtomicReference<>();
    stopping.runOnce().subscribe().with(report::set, failure -> {});
    await().atMost(AWAIT).until(() -> simulator.heldCalls() == 1);
    Map<String, Object> inFlight = fixtures.execution(execution);
    assertThat(inFlight.get("lease_owner")).isEqualTo("replica-stopping");
    assertThat(inFlight.get("status")).isEqualTo("PENDING");

    // Stopped while AMC holds the check's call; the call is answered only afterwards, well
    // within the grace. A stop that did not wait for it would release the lease at once.
    CompletableFuture<Integer> stopped =
        stopping.stop(AWAIT).subscribe().asCompletionStage().toCompletableFuture();
    simulator.releaseHeldCalls();
    int released = stopped.orTimeout(AWAIT.toSeconds(), TimeUnit.SECONDS).join();

    assertThat(released).as("the check wrote its outcome, which handed its lease back").isZero();
    await().atMost(AWAIT).until(() -> report.get() != null);
    assertThat(report.get().claimed()).isEqualTo(1);
    assertThat(report.get().transitions()).as("the outcome was written").isEqualTo(1);
    assertThat(report.get().lostWrites()).isZero();
    Map<String, Object> written = fixtures.execution(execution);
    assertThat(written.get("lease_owner")).isNull();
    assertThat((Integer) written.get("poll_count"))
        .isEqualTo((Integer) inFlight.get("poll_count") + 1);
    assertThat(written.get("status")).as("AMC's answer, RUNNING, applied").isEqualTo("RUNNING");
    clock.advance(Duration.ofSeconds(30));
    assertThat(stopping.runOnce().await().atMost(AWAIT).claimed())
        .as("a stopped replica claims nothing")
        .isZero();
    PollCycle other = ReplicaLoops.build(TestPollConfig.defaults(), "replica-other");
    assertThat(other.runOnce().await().atMost(AWAIT).claimed()).isEqualTo(1);
  }

  @Test
  void shouldReleaseTheLeasesOfChecksThatOutliveTheGraceAndRefuseTheirLateWrites()
      throws Exception {
    PollCycle stopping = ReplicaLoops.build(TestPollConfig.defaults(), "replica-stopping");
    simulator.scriptFaults(Operation.STATUS, remoteId, List.of(Fault.HANG));
    AtomicReference<CycleReport> report = new AtomicReference<>();
    stopping.runOnce().subscribe().with(report::set, failure -> {});
    await()
        .atMost(AWAIT)
        .until(() -> "replica-stopping".equals(fixtures.execution(execution).get("lease_owner")));
    long version = (Long) fixtures.execution(execution).get("version");

    int released = stopping.stop(Duration.ofMillis(100)).await().atMost(AWAIT);

    assertThat(released).isEqualTo(1);
    assertThat(fixtures.execution(execution).get("lease_owner")).isNull();
    assertThat((Long) fixtures.execution(execution).get("version")).isGreaterThan(version);
    // The hung call times out and the check ends; its outcome is refused (the row moved on).
    await().atMost(AWAIT).until(() -> report.get() != null);
    assertThat(report.get().lostWrites()).isEqualTo(1);
    assertThat(fixtures.status(execution)).isEqualTo("PENDING");
    assertThat(fixtures.execution(execution).get("lease_owner")).isNull();
  }

  @Test
  void shouldKeepACreateStillOnTheWireFromBeingDueUntilItCouldHaveShownInAListing() {
    UUID pending = pendingWithHangingCreate("wf_stopping_mid_create");
    PollCycle stopping = ReplicaLoops.build(TestPollConfig.defaults(), "replica-stopping");
    stopping.runOnce().subscribe().with(ignored -> {}, failure -> {});
    await()
        .atMost(AWAIT)
        .until(() -> fixtures.execution(pending).get("submit_attempted_at") != null);

    assertThat(stopping.stop(Duration.ofMillis(100)).await().atMost(AWAIT)).isEqualTo(1);

    assertNotDueBeforeTheCreateSettled(pending);
  }

  @Test
  void shouldKeepACreateCutOffByTheCheckDeadlineFromBeingDueUntilItCouldHaveShownInAListing() {
    UUID pending = pendingWithHangingCreate("wf_deadline_mid_create");
    PollCycle hasty =
        ReplicaLoops.build(
            TestPollConfig.defaults().withCheckDeadline(Duration.ofMillis(300)), "replica-hasty");

    hasty.runOnce().await().atMost(AWAIT);

    assertThat(fixtures.execution(pending).get("consecutive_poll_errors"))
        .as("the check passed its deadline")
        .isEqualTo(1);
    assertNotDueBeforeTheCreateSettled(pending);
  }

  /** A PENDING execution whose create AMC holds unanswered (HANG: it creates nothing). */
  private UUID pendingWithHangingCreate(String workflowId) {
    // The running execution of every test here stays out of the way.
    fixtures.update(
        "UPDATE workflow_executions SET next_poll_at = next_poll_at + interval '1 day' WHERE id = '"
            + execution
            + "'");
    UUID pending = fixtures.submit(fixtures.savedWorkflow(workflowId));
    simulator.scriptFaults(Operation.CREATE, workflowId, List.of(Fault.HANG));
    return pending;
  }

  /**
   * Released while its create may still be on the wire, the row is due only once its settle window
   * (CreateSettleWindow) has passed since the attempt; then the next replica lists before it
   * creates.
   */
  private void assertNotDueBeforeTheCreateSettled(UUID pending) {
    Duration settle = CreateSettleWindow.of(amc, poll);
    Instant attempted = fixtures.instant(pending, "submit_attempted_at");
    assertThat(fixtures.execution(pending).get("lease_owner")).isNull();
    assertThat(fixtures.execution(pending).get("amc_execution_id")).isNull();
    assertThat(fixtures.instant(pending, "next_poll_at")).isEqualTo(attempted.plus(settle));

    PollCycle other = ReplicaLoops.build(TestPollConfig.defaults(), "replica-other");
    clock.set(attempted.plus(settle).minusSeconds(1));
    assertThat(other.runOnce().await().atMost(AWAIT).claimed())
        .as("not due while the create may still land")
        .isZero();
    int listsBefore = simulator.listCalls();
    clock.set(attempted.plus(settle));
    assertThat(other.runOnce().await().atMost(AWAIT).claimed()).isEqualTo(1);
    assertThat(simulator.listCalls())
        .as("looked for the first create first")
        .isGreaterThan(listsBefore);
    assertThat(fixtures.execution(pending).get("amc_execution_id")).isNotNull();
  }
}
