package io.executionpoller.admin;

import static io.executionpoller.support.Api.operator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agroal.api.AgroalDataSource;
import io.executionpoller.housekeeping.Housekeeping;
import io.executionpoller.poll.CycleReport;
import io.executionpoller.poll.PollCycle;
import io.executionpoller.remote.AmcConfig;
import io.executionpoller.simulator.AmcSimulator;
import io.executionpoller.simulator.ExecutionScript;
import io.executionpoller.simulator.Fault;
import io.executionpoller.simulator.Operation;
import io.executionpoller.support.Fixtures;
import io.executionpoller.support.PostgresResource;
import io.executionpoller.support.TestClock;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An operator's cancel against the loop's submission: whichever way they interleave, no AMC run is
 * left running without a live row that tracks it, and a create that was never answered does not
 * block a cancel for ever.
 */
@QuarkusTest
@TestProfile(CancelAgainstLoopTest.PatientRequests.class)
@WithTestResource(PostgresResource.class)
class CancelAgainstLoopTest {

  private static final Duration AWAIT = Duration.ofSeconds(60);

  /**
   * Past the settle window of an attempt (CreateSettleWindow): max(request timeout 30 s, check
   * deadline 90 s) plus the listing margin (30 s), and more.
   */
  private static final Duration PAST_THE_WINDOW = Duration.ofMinutes(4).plusSeconds(30);

  /**
   * Calls held by the simulator are released by the test within moments, but on a busy machine
   * those moments may pass the test profile's 2 s request deadline, and a create given up by the
   * client is not what these tests are about.
   */
  public static class PatientRequests implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("poller.amc.request-timeout", "30S");
    }
  }

  @Inject PollCycle cycle;
  @Inject AmcSimulator simulator;
  @Inject Fixtures fixtures;
  @Inject AgroalDataSource dataSource;
  @Inject TestClock clock;
  @Inject AmcConfig amcConfig;
  @Inject Housekeeping housekeeping;

  @BeforeEach
  void clean() {
    fixtures.reset();
  }

  private CycleReport runOnce() {
    return cycle.runOnce().await().atMost(AWAIT);
  }

  @Test
  void shouldCancelAtAmcTheRunOfACreateAnsweredAfterAnOperatorCancelledTheRow() throws Exception {
    simulator.scriptFor("wf_race", ExecutionScript.succeeds(Duration.ZERO, Duration.ofHours(1), 1));
    simulator.scriptFaults(Operation.CREATE, "wf_race", List.of(Fault.HELD));
    UUID execution = fixtures.submit(fixtures.savedWorkflow("wf_race"));

    CompletableFuture<CycleReport> loop = cycle.runOnce().subscribeAsCompletionStage();
    // The attempt is marked and the create is on its way to AMC, not arrived yet.
    await().atMost(AWAIT).until(() -> simulator.heldCalls() == 1);
    assertThat(fixtures.execution(execution).get("submit_attempted_at")).isNotNull();
    clock.advance(PAST_THE_WINDOW);

    Response cancel = operator().post("/api/v1/executions/{id}/cancel", execution);
    cancel.then().statusCode(200);
    assertThat(cancel.jsonPath().getBoolean("remoteCancelled")).isFalse();

    simulator.releaseHeldCalls();
    loop.get(AWAIT.toSeconds(), TimeUnit.SECONDS);

    Map<String, Object> row = fixtures.execution(execution);
    assertThat(row.get("status")).isEqualTo("CANCELLED");
    assertThat(row.get("amc_execution_id")).as("the late answer is not written").isNull();
    List<AmcSimulator.ExecutionRecord> created = simulator.executionRecords();
    assertThat(created)
        .singleElement()
        .extracting(AmcSimulator.ExecutionRecord::status)
        .isEqualTo("CANCELLED");
    assertThat(
            fixtures.query(
                "SELECT amc_execution_id FROM execution_events WHERE execution_id = ?"
                    + " AND type = 'REMOTE_ORPHAN_CANCELLED'",
                execution))
        .extracting(event -> event.get("amc_execution_id"))
        .containsExactly(created.get(0).id());
    assertThat(activeRunsNoLiveRowTracks()).isEmpty();
  }

  /**
   * The run of a late create answer is an orphan, and AMC refuses to cancel it (every try of the
   * loop's cancel fails). It is recorded before the cancel is tried, so housekeeping tries again
   * until AMC cancels it: it is never left running with nothing that remembers it.
   */
  @Test
  void shouldKeepTryingToCancelAnOrphanedRunWhoseFirstCancelFailed() throws Exception {
    simulator.scriptFor(
        "wf_stubborn", ExecutionScript.succeeds(Duration.ZERO, Duration.ofHours(1), 1));
    simulator.scriptFaults(Operation.CREATE, "wf_stubborn", List.of(Fault.HELD));
    List<Fault> refusals = new ArrayList<>();
    for (int i = 0; i <= amcConfig.callRetries(); i++) {
      refusals.add(Fault.ERROR_500);
    }
    // Cancels are keyed by the remote id, unknown until AMC answers the create: refuse any.
    simulator.scriptFaults(Operation.CANCEL, AmcSimulator.ANY, refusals);
    UUID execution = fixtures.submit(fixtures.savedWorkflow("wf_stubborn"));

    CompletableFuture<CycleReport> loop = cycle.runOnce().subscribeAsCompletionStage();
    await().atMost(AWAIT).until(() -> simulator.heldCalls() == 1);
    clock.advance(PAST_THE_WINDOW);
    operator().post("/api/v1/executions/{id}/cancel", execution).then().statusCode(200);
    simulator.releaseHeldCalls();
    loop.get(AWAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(fixtures.events(execution)).contains("REMOTE_CANCEL_FAILED");
    assertThat(activeRunsNoLiveRowTracks()).as("left running after the refused cancel").hasSize(1);

    clock.advance(Duration.ofMinutes(2));
    housekeeping.cancelOrphansNow();

    assertThat(simulator.executionRecords())
        .singleElement()
        .extracting(AmcSimulator.ExecutionRecord::status)
        .isEqualTo("CANCELLED");
    assertThat(activeRunsNoLiveRowTracks()).isEmpty();
    assertThat(fixtures.events(execution)).contains("REMOTE_ORPHAN_CANCELLED");
    assertThat(housekeeping.cancelOrphansNow()).as("nothing left to cancel").isZero();
  }

  @Test
  void shouldCancelPastTheWindowARowWhoseCreateWasNeverAnsweredAndTheRunItMade() {
    simulator.scriptFor(
        "wf_stale", ExecutionScript.succeeds(Duration.ZERO, Duration.ofHours(1), 1));
    simulator.scriptFaults(Operation.CREATE, "wf_stale", List.of(Fault.LOST_CREATE));
    UUID execution = fixtures.submit(fixtures.savedWorkflow("wf_stale"));
    runOnce();
    assertThat(fixtures.execution(execution).get("amc_execution_id")).isNull();
    String made = simulator.executionRecords().get(0).id();

    Response early = operator().post("/api/v1/executions/{id}/cancel", execution);
    early.then().statusCode(409);
    assertThat(early.jsonPath().getString("detail")).contains("in flight");

    clock.advance(PAST_THE_WINDOW);
    Response cancel = operator().post("/api/v1/executions/{id}/cancel", execution);

    cancel.then().statusCode(200);
    assertThat(cancel.jsonPath().getBoolean("remoteCancelled")).isTrue();
    Map<String, Object> row = fixtures.execution(execution);
    assertThat(row.get("status")).isEqualTo("CANCELLED");
    assertThat(row.get("amc_execution_id")).as("found by listing and adopted").isEqualTo(made);
    assertThat(fixtures.events(execution))
        .endsWith("SUBMITTED", "REMOTE_CANCELLED", "TRANSITION PENDING->CANCELLED");
    assertThat(simulator.executionRecords())
        .singleElement()
        .extracting(AmcSimulator.ExecutionRecord::status)
        .isEqualTo("CANCELLED");
    assertThat(activeRunsNoLiveRowTracks()).isEmpty();
  }

  @Test
  void shouldCancelLocallyPastTheWindowWhenTheUnansweredCreateMadeNothing() {
    simulator.scriptFaults(Operation.CREATE, "wf_void", List.of(Fault.RESET));
    UUID execution = fixtures.submit(fixtures.savedWorkflow("wf_void"));
    runOnce();
    clock.advance(PAST_THE_WINDOW);

    Response cancel = operator().post("/api/v1/executions/{id}/cancel", execution);

    cancel.then().statusCode(200);
    assertThat(cancel.jsonPath().getBoolean("remoteCancelled")).isFalse();
    assertThat(fixtures.status(execution)).isEqualTo("CANCELLED");
    assertThat(simulator.listCalls()).as("it looked before giving up the create").isPositive();
  }

  /**
   * The create's answer lands between the cancel's read (nothing submitted yet: a local cancel) and
   * its guarded write. The write must miss on the version and the next round must cancel the run at
   * AMC; a write guarded by status alone would cancel the row and leave the run going at AMC.
   */
  @Test
  void shouldCancelAtAmcARunWhoseAnswerLandedBetweenTheCancelsReadAndItsWrite() throws Exception {
    UUID workflow = fixtures.savedWorkflow("wf_landing");
    UUID execution = fixtures.submit(workflow);
    String remote =
        simulator.preload(
            "amcinst01",
            "wf_landing",
            ExecutionScript.succeeds(Duration.ZERO, Duration.ofHours(2), 1));
    CompletableFuture<Response> cancel;
    try (Connection holder = dataSource.getConnection()) {
      holder.setAutoCommit(false);
      try (PreparedStatement answer =
          holder.prepareStatement(
              "UPDATE workflow_executions SET amc_execution_id = ?, version = version + 1"
                  + " WHERE id = ?")) {
        answer.setString(1, remote);
        answer.setObject(2, execution);
        assertThat(answer.executeUpdate()).isEqualTo(1);
      }
      cancel =
          CompletableFuture.supplyAsync(
              () -> operator().post("/api/v1/executions/{id}/cancel", execution));
      fixtures.awaitLockWaiters(1);
      holder.commit();
    }

    cancel.get(AWAIT.toSeconds(), TimeUnit.SECONDS).then().statusCode(200);
    assertThat(fixtures.status(execution)).isEqualTo("CANCELLED");
    assertThat(simulator.executionRecords())
        .filteredOn(record -> record.id().equals(remote))
        .singleElement()
        .extracting(AmcSimulator.ExecutionRecord::status)
        .as("the run that landed is cancelled at AMC too")
        .isEqualTo("CANCELLED");
  }

  @Test
  void shouldNotLetACancelDecidedBeforeTheLoopSubmittedLandAfterIt() throws Exception {
    simulator.scriptFor(
        "wf_overtaken", ExecutionScript.succeeds(Duration.ZERO, Duration.ofHours(1), 1));
    // The first create never reaches AMC; the row keeps an unanswered attempt.
    simulator.scriptFaults(Operation.CREATE, "wf_overtaken", List.of(Fault.RESET));
    UUID execution = fixtures.submit(fixtures.savedWorkflow("wf_overtaken"));
    runOnce();
    clock.advance(PAST_THE_WINDOW);
    // The cancel's search is held while the loop looks, creates and writes the remote id.
    simulator.scriptFaults(Operation.LIST, Fixtures.INSTANCE, List.of(Fault.HELD));

    CompletableFuture<Response> cancel =
        CompletableFuture.supplyAsync(
            () -> operator().post("/api/v1/executions/{id}/cancel", execution));
    await().atMost(AWAIT).until(() -> simulator.heldCalls() == 1);
    runOnce();
    String submitted = (String) fixtures.execution(execution).get("amc_execution_id");
    assertThat(submitted).as("the loop created and wrote its run").isNotNull();
    simulator.releaseHeldCalls();

    Response answer = cancel.get(AWAIT.toSeconds(), TimeUnit.SECONDS);
    answer.then().statusCode(200);
    assertThat(answer.jsonPath().getBoolean("remoteCancelled")).isTrue();
    assertThat(fixtures.status(execution)).isEqualTo("CANCELLED");
    assertThat(simulator.executionRecords())
        .singleElement()
        .extracting(AmcSimulator.ExecutionRecord::status)
        .isEqualTo("CANCELLED");
    assertThat(activeRunsNoLiveRowTracks()).isEmpty();
  }

  @Test
  void shouldAdoptARunAnsweredAfterTheLeaseWasReleasedWhileTheRowStillWaitsForOne()
      throws Exception {
    simulator.scriptFor(
        "wf_released", ExecutionScript.succeeds(Duration.ZERO, Duration.ofHours(1), 1));
    simulator.scriptFaults(Operation.CREATE, "wf_released", List.of(Fault.HELD));
    UUID execution = fixtures.submit(fixtures.savedWorkflow("wf_released"));

    CompletableFuture<CycleReport> loop = cycle.runOnce().subscribeAsCompletionStage();
    await().atMost(AWAIT).until(() -> simulator.heldCalls() == 1);
    // What a stopping replica does with its leases: handed back, version moved on.
    fixtures.update(
        "UPDATE workflow_executions SET lease_owner = NULL, lease_expires_at = NULL,"
            + " version = version + 1 WHERE id = '"
            + execution
            + "'");
    simulator.releaseHeldCalls();
    loop.get(AWAIT.toSeconds(), TimeUnit.SECONDS);

    String made = simulator.executionRecords().get(0).id();
    Map<String, Object> row = fixtures.execution(execution);
    assertThat(row.get("status")).isEqualTo("PENDING");
    assertThat(row.get("amc_execution_id")).as("adopted by the row").isEqualTo(made);
    assertThat(fixtures.events(execution))
        .contains("SUBMITTED")
        .doesNotContain("REMOTE_ORPHAN_CANCELLED");
    runOnce();
    assertThat(fixtures.status(execution)).isEqualTo("RUNNING");
    assertThat(simulator.createCalls()).isEqualTo(1);
    assertThat(activeRunsNoLiveRowTracks()).isEmpty();
  }

  /** AMC runs still going that no PENDING or RUNNING row tracks: each one is lost to us. */
  private Set<String> activeRunsNoLiveRowTracks() {
    Set<String> tracked = new HashSet<>();
    fixtures
        .query(
            "SELECT amc_execution_id FROM workflow_executions"
                + " WHERE status IN ('PENDING', 'RUNNING') AND amc_execution_id IS NOT NULL")
        .forEach(row -> tracked.add((String) row.get("amc_execution_id")));
    Set<String> lost = new HashSet<>();
    for (AmcSimulator.ExecutionRecord run : simulator.executionRecords()) {
      if (Set.of("PENDING", "RUNNING", "PUBLISHING").contains(run.status())
          && !tracked.contains(run.id())) {
        lost.add(run.id());
      }
    }
    return lost;
  }
}
