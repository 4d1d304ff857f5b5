package io.executionpoller.poll;

import static org.assertj.core.api.Assertions.assertThat;

import io.agroal.api.AgroalDataSource;
import io.executionpoller.remote.AmcConfig;
import io.executionpoller.remote.guard.RemoteGate;
import io.executionpoller.simulator.AmcSimulator;
import io.executionpoller.simulator.ExecutionScript;
import io.executionpoller.simulator.Fault;
import io.executionpoller.simulator.Operation;
import io.executionpoller.support.Fixtures;
import io.executionpoller.support.PostgresResource;
import io.executionpoller.support.TestClock;
import io.executionpoller.support.TestPollConfig;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Failed remote executions and submissions: a retryable failure comes back as a new remote
 * execution through a recorded RETRY; a create that went unanswered is found, not repeated.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class ResubmissionTest {

  private static final Duration AWAIT = Duration.ofSeconds(60);

  @Inject PollCycle cycle;
  @Inject AmcSimulator simulator;
  @Inject Fixtures fixtures;
  @Inject TestClock clock;
  @Inject RemoteGate gate;
  @Inject AgroalDataSource dataSource;
  @Inject AmcConfig amcConfig;
  @Inject PollConfig pollConfig;

  /**
   * An unanswered create is tried again (listing first) only once it could have shown in a listing:
   * its settle window after the attempt, and a little more.
   */
  private Duration createSettled() {
    return CreateSettleWindow.of(amcConfig, pollConfig).plusSeconds(5);
  }

  @BeforeEach
  void clean() {
    fixtures.reset();
  }

  private CycleReport runOnce() {
    return cycle.runOnce().await().atMost(AWAIT);
  }

  @Test
  void shouldResubmitARetryableRemoteFailureAsANewRemoteExecutionThroughARecordedRetry() {
    simulator.scriptFor(
        "wf_flaky", ExecutionScript.failsWithInternalError(Duration.ZERO, Duration.ofSeconds(20)));
    UUID execution = fixtures.submit(fixtures.savedWorkflow("wf_flaky"));
    runOnce();
    String firstRemoteId = (String) fixtures.execution(execution).get("amc_execution_id");
    clock.advance(Duration.ofSeconds(30));

    runOnce();

    Map<String, Object> row = fixtures.execution(execution);
    assertThat(row.get("status")).isEqualTo("PENDING");
    assertThat(row.get("amc_execution_id")).isNull();
    assertThat(row.get("retry_count")).isEqualTo(1);
    assertThat(row.get("error_type")).isEqualTo("AMC_API_ERROR");
    Instant retryAt = fixtures.instant(execution, "next_retry_at");
    assertThat(retryAt).isBetween(clock.instant().plusSeconds(30), clock.instant().plusSeconds(60));
    assertThat(fixtures.instant(execution, "next_poll_at")).isEqualTo(retryAt);
    assertThat(fixtures.events(execution))
        .containsSubsequence("SUBMITTED", "TRANSITION PENDING->RUNNING", "RETRY RUNNING->PENDING");
    assertThat(
            fixtures.query(
                "SELECT amc_execution_id FROM execution_events WHERE execution_id = ? AND type ="
                    + " 'RETRY'",
                execution))
        .extracting(event -> event.get("amc_execution_id"))
        .containsExactly(firstRemoteId);

    // Not before the retry time; then a new remote execution, which this time succeeds.
    simulator.scriptFor(
        "wf_flaky", ExecutionScript.succeeds(Duration.ZERO, Duration.ofSeconds(20), 2));
    clock.advance(Duration.ofSeconds(29));
    runOnce();
    assertThat(simulator.createCalls()).isEqualTo(1);
    clock.set(retryAt);
    runOnce();
    assertThat(simulator.createCalls()).isEqualTo(2);
    String secondRemoteId = (String) fixtures.execution(execution).get("amc_execution_id");
    assertThat(secondRemoteId).isNotNull().isNotEqualTo(firstRemoteId);
    clock.advance(Duration.ofSeconds(30));
    runOnce();
    assertThat(fixtures.status(execution)).isEqualTo("SUCCESS");
    assertThat(fixtures.events(execution))
        .as("the second attempt records its own transitions")
        .endsWith("SUBMITTED", "TRANSITION PENDING->RUNNING", "TRANSITION RUNNING->SUCCESS");
  }

  @Test
  void shouldFailANonRetryableRemoteFailureWithoutResubmitting() {
    simulator.scriptFor(
        "wf_broken", ExecutionScript.failsWithQueryError(Duration.ZERO, Duration.ofSeconds(20)));
    UUID execution = fixtures.submit(fixtures.savedWorkflow("wf_broken"));
    runOnce();
    clock.advance(Duration.ofSeconds(30));

    runOnce();
    clock.advance(Duration.ofMinutes(10));
    runOnce();

    assertThat(fixtures.status(execution)).isEqualTo("FAILED");
    assertThat(fixtures.execution(execution).get("error_type")).isEqualTo("QUERY_ERROR");
    assertThat(fixtures.execution(execution).get("retry_count")).isEqualTo(0);
    assertThat(simulator.createCalls()).isEqualTo(1);
  }

  @Test
  void shouldFailForGoodAfterTheThirdRetry() {
    simulator.scriptFor("wf_always_busy", ExecutionScript.rejectedForOverlap(Duration.ZERO));
    UUID execution = fixtures.submit(fixtures.savedWorkflow("wf_always_busy"));

    for (int round = 0; round < 12 && !"FAILED".equals(fixtures.status(execution)); round++) {
      runOnce();
      clock.advance(Duration.ofMinutes(6));
    }

    assertThat(fixtures.status(execution)).isEqualTo("FAILED");
    assertThat(fixtures.execution(execution).get("retry_count")).isEqualTo(3);
    assertThat(fixtures.execution(execution).get("error_type")).isEqualTo("RESOURCE_ERROR");
    assertThat(simulator.createCalls()).isEqualTo(4);
    assertThat(fixtures.events(execution).stream().filter(e -> e.startsWith("RETRY"))).hasSize(3);
  }

  /**
   * A replica died with its create on the wire: its lease has expired and the row is due (a poll
   * request makes it due the same way). The create may still land or not yet list, so no replica
   * may claim the row before its settle window has passed; a claim now would list too early, miss
   * the run and create a second one.
   */
  @Test
  void shouldNotClaimARowWhoseCreateMayStillBeOnTheWireWhenItsHoldersLeaseExpired() {
    simulator.scriptFor(
        "wf_dead_creator", ExecutionScript.succeeds(Duration.ZERO, Duration.ofMinutes(5), 1));
    simulator.scriptFaults(Operation.CREATE, "wf_dead_creator", List.of(Fault.LOST_CREATE));
    UUID execution = fixtures.submit(fixtures.savedWorkflow("wf_dead_creator"));
    runOnce();
    Instant attempted = fixtures.instant(execution, "submit_attempted_at");
    assertThat(fixtures.execution(execution).get("amc_execution_id")).isNull();
    // What a replica that died mid-create leaves: its attempt, its lease (expired), the row due.
    clock.set(attempted.plusSeconds(5));
    fixtures.update(
        "UPDATE workflow_executions SET lease_owner = 'dead-replica',"
            + " lease_expires_at = now() - interval '1 hour', next_poll_at = '"
            + clock.instant()
            + "' WHERE id = '"
            + execution
            + "'");

    assertThat(runOnce().claimed()).as("claimed within the settle window").isZero();

    clock.set(attempted.plus(createSettled()));
    assertThat(runOnce().claimed()).isEqualTo(1);
    assertThat(simulator.createCalls()).as("found by listing, not created again").isEqualTo(1);
    assertThat(fixtures.execution(execution).get("amc_execution_id")).isNotNull();
  }

  @Test
  void shouldAdoptTheRemoteExecutionOfAnUnansweredCreateInsteadOfCreatingASecond() {
    simulator.scriptFor(
        "wf_lost", ExecutionScript.succeeds(Duration.ZERO, Duration.ofMinutes(5), 1));
    simulator.scriptFaults(Operation.CREATE, "wf_lost", List.of(Fault.LOST_CREATE));
    UUID workflow = fixtures.savedWorkflow("wf_lost");
    UUID execution = fixtures.submit(workflow);

    runOnce();

    Map<String, Object> afterLostCreate = fixtures.execution(execution);
    assertThat(afterLostCreate.get("amc_execution_id")).isNull();
    assertThat(afterLostCreate.get("submit_attempted_at")).isNotNull();
    assertThat(afterLostCreate.get("consecutive_poll_errors")).isEqualTo(1);
    assertThat(simulator.createCalls()).isEqualTo(1);

    clock.advance(createSettled());
    runOnce();

    assertThat(simulator.createCalls()).as("no second create").isEqualTo(1);
    assertThat(simulator.listCalls()).isPositive();
    String adopted = (String) fixtures.execution(execution).get("amc_execution_id");
    assertThat(adopted).isNotNull();
    assertThat(simulator.statusCalls(adopted)).isZero();
    assertThat(fixtures.events(execution)).contains("SUBMITTED");
    assertThat(
            fixtures.query(
                "SELECT message FROM execution_events WHERE execution_id = ? AND type ="
                    + " 'SUBMITTED'",
                execution))
        .extracting(event -> (String) event.get("message"))
        .singleElement()
        .asString()
        .contains("adopted");
    clock.advance(Duration.ofMinutes(6));
    runOnce();
    assertThat(fixtures.status(execution)).isEqualTo("SUCCESS");
  }

  @Test
  void shouldCreateAgainWhenTheUnansweredCreateNeverReachedAmc() {
    simulator.scriptFor(
        "wf_reset", ExecutionScript.succeeds(Duration.ZERO, Duration.ofMinutes(5), 1));
    // A reset before AMC handled the create: nothing was created.
    simulator.scriptFaults(Operation.CREATE, "wf_reset", List.of(Fault.RESET));
    UUID workflow = fixtures.savedWorkflow("wf_reset");
    UUID execution = fixtures.submit(workflow);
    runOnce();
    assertThat(fixtures.execution(execution).get("amc_execution_id")).isNull();

    clock.advance(createSettled());
    runOnce();

    assertThat(simulator.createCalls()).isEqualTo(2);
    String remoteId = (String) fixtures.execution(execution).get("amc_execution_id");
    assertThat(remoteId).isNotNull();
    assertThat(simulator.listCalls()).as("it looked before creating again").isPositive();
  }

  @Test
  void shouldNotAdoptAnExecutionAnotherRowAlreadyTracks() {
    simulator.scriptFor(
        "wf_twins", ExecutionScript.succeeds(Duration.ZERO, Duration.ofMinutes(5), 1));
    UUID workflow = fixtures.savedWorkflow("wf_twins");
    // Someone else's execution of the same workflow, tracked by another row, created just now.
    String othersRemote =
        simulator.preload(
            Fixtures.INSTANCE,
            "wf_twins",
            ExecutionScript.succeeds(Duration.ZERO, Duration.ofMinutes(5), 1));
    fixtures.track(workflow, othersRemote);
    // Ours: the create is refused before it reaches AMC (connection reset).
    simulator.scriptFaults(Operation.CREATE, "wf_twins", List.of(Fault.RESET));
    UUID ours = fixtures.submit(workflow);
    runOnce();

    clock.advance(createSettled());
    runOnce();

    String oursRemote = (String) fixtures.execution(ours).get("amc_execution_id");
    assertThat(oursRemote).isNotNull().isNotEqualTo(othersRemote);
    assertThat(simulator.createCalls()).isEqualTo(2);
  }

  @Test
  void shouldLetOnlyOneOfTwoWorkflowsWithTheSameQueryOnOneInstanceAdoptARun() {
    String sql = "SELECT campaign_id, SUM(impressions) FROM sponsored_ads_traffic GROUP BY 1";
    simulator.scriptFor(sql, ExecutionScript.succeeds(Duration.ZERO, Duration.ofMinutes(5), 1));
    // Two teams registered the same query on one instance: two workflows, one text.
    UUID first = fixtures.adHocWorkflow(sql);
    UUID second = fixtures.adHocWorkflow(sql);
    // One create reaches AMC and its answer is lost; the other never arrives. Both unanswered.
    simulator.scriptFaults(Operation.CREATE, sql, List.of(Fault.LOST_CREATE, Fault.RESET));
    UUID a = fixtures.submit(first);
    UUID b = fixtures.submit(second);
    runOnce();
    assertThat(simulator.createCalls()).isEqualTo(2);
    String made = simulator.executionRecords().get(0).id();
    assertThat(fixtures.execution(a).get("amc_execution_id")).isNull();
    assertThat(fixtures.execution(b).get("amc_execution_id")).isNull();

    clock.advance(createSettled());
    runOnce();

    assertThat(
            fixtures.count(
                "SELECT count(*) FROM workflow_executions WHERE amc_execution_id = ?", made))
        .as("rows tracking the one run both could have adopted")
        .isEqualTo(1);
    clock.advance(createSettled());
    runOnce();
    Object remoteA = fixtures.execution(a).get("amc_execution_id");
    Object remoteB = fixtures.execution(b).get("amc_execution_id");
    assertThat(remoteA).isNotNull();
    assertThat(remoteB).isNotNull().isNotEqualTo(remoteA);
    assertThat(List.of(fixtures.status(a), fixtures.status(b))).doesNotContain("FAILED");
  }

  @Test
  void shouldTreatAUniqueViolationOnAdoptionAsTrackedElsewhereNotAsAFailure() throws Exception {
    simulator.scriptFor(
        "wf_contested", ExecutionScript.succeeds(Duration.ZERO, Duration.ofMinutes(5), 1));
    UUID workflow = fixtures.savedWorkflow("wf_contested");
    // Another row of the workflow, out of the loop's way (finished, never claimed).
    UUID other = fixtures.submit(workflow);
    fixtures.update("UPDATE workflow_executions SET status = 'FAILED' WHERE id = '" + other + "'");
    simulator.scriptFaults(Operation.CREATE, "wf_contested", List.of(Fault.LOST_CREATE));
    UUID ours = fixtures.submit(workflow);
    runOnce();
    String made = simulator.executionRecords().get(0).id();
    assertThat(fixtures.execution(ours).get("amc_execution_id")).isNull();
    clock.advance(createSettled());

    // Another writer takes the run for its row and commits only once our adoption write waits on
    // the unique index: our check saw the run untracked, our write meets the violation.
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try (PreparedStatement take =
          connection.prepareStatement(
              "UPDATE workflow_executions SET amc_execution_id = ? WHERE id = ?")) {
        take.setString(1, made);
        take.setObject(2, other);
        take.executeUpdate();
      }
      CompletableFuture<CycleReport> loop = cycle.runOnce().subscribeAsCompletionStage();
      fixtures.awaitLockWaiters(1);
      connection.commit();
      loop.get(AWAIT.toSeconds(), TimeUnit.SECONDS);
    }

    Map<String, Object> row = fixtures.execution(ours);
    assertThat(row.get("status")).isEqualTo("PENDING");
    assertThat(row.get("amc_execution_id")).isNull();
    assertThat(row.get("lease_owner")).isNull();
    assertThat(row.get("submit_attempted_at")).isNotNull();
    assertThat(row.get("consecutive_poll_errors")).as("not counted as a failure").isEqualTo(1);
    assertThat(fixtures.instant(ours, "next_poll_at"))
        .as("due at once, to look again")
        .isEqualTo(clock.instant());
    assertThat(fixtures.events(ours)).doesNotContain("SUBMITTED");

    runOnce();
    String own = (String) fixtures.execution(ours).get("amc_execution_id");
    assertThat(own).isNotNull().isNotEqualTo(made);
    assertThat(simulator.createCalls()).isEqualTo(2);
  }

  @Test
  void shouldWriteTheFailureOfACreateAbandonedAtTheDeadlineAndCountItForTheBreaker() {
    simulator.scriptFor(
        "wf_slow_create", ExecutionScript.succeeds(Duration.ZERO, Duration.ofMinutes(5), 1));
    simulator.scriptFaults(Operation.CREATE, "wf_slow_create", List.of(Fault.HANG));
    UUID execution = fixtures.submit(fixtures.savedWorkflow("wf_slow_create"));
    PollCycle impatient =
        ReplicaLoops.build(
            TestPollConfig.defaults().withCheckDeadline(Duration.ofMillis(500)), "impatient");

    CycleReport report = impatient.runOnce().await().atMost(AWAIT);

    assertThat(report.lostWrites()).as("the outcome carries the version of the attempt").isZero();
    Map<String, Object> row = fixtures.execution(execution);
    assertThat(row.get("consecutive_poll_errors")).isEqualTo(1);
    assertThat(row.get("lease_owner")).as("lease released").isNull();
    assertThat(row.get("submit_attempted_at")).isNotNull();
    assertThat(gate.breakerSnapshots().values())
        .singleElement()
        .satisfies(breaker -> assertThat(breaker.consecutiveFailures()).isEqualTo(1));
  }

  @Test
  void shouldForgetTheAttemptOfACreateHeldBackBeforeItWasSent() {
    simulator.scriptFor(
        "wf_paused", ExecutionScript.succeeds(Duration.ZERO, Duration.ofMinutes(5), 1));
    UUID execution = fixtures.submit(fixtures.savedWorkflow("wf_paused"));
    simulator.rejectCredentials("invalid_client");
    simulator.revokeTokens();
    fixtures.forgetCachedToken();

    CycleReport held = runOnce();

    assertThat(held.deferred()).isEqualTo(1);
    Map<String, Object> row = fixtures.execution(execution);
    assertThat(row.get("submit_attempted_at")).as("nothing was sent").isNull();
    assertThat(row.get("consecutive_poll_errors")).isEqualTo(0);
    assertThat(simulator.createCalls()).isZero();

    simulator.acceptCredentials();
    clock.advance(Duration.ofMinutes(6));
    runOnce();

    assertThat(fixtures.execution(execution).get("amc_execution_id")).isNotNull();
    assertThat(simulator.listCalls()).as("no search for a create that never went").isZero();
    assertThat(simulator.createCalls()).isEqualTo(1);
  }

  static Stream<Arguments> failedRemoteExecutions() {
    return Stream.of(
        Arguments.of(
            ExecutionScript.failsWithInternalError(Duration.ZERO, Duration.ZERO),
            "AMC_API_ERROR",
            true),
        Arguments.of(ExecutionScript.rejectedForOverlap(Duration.ZERO), "RESOURCE_ERROR", true),
        Arguments.of(ExecutionScript.failsForOverlap(Duration.ZERO), "RESOURCE_ERROR", true),
        Arguments.of(
            ExecutionScript.failsWithQueryError(Duration.ZERO, Duration.ZERO),
            "QUERY_ERROR",
            false),
        Arguments.of(
            ExecutionScript.failsWithTimeLimit(Duration.ZERO, Duration.ZERO),
            "TIMEOUT_ERROR",
            false),
        Arguments.of(
            ExecutionScript.failsWithPermission(Duration.ZERO, Duration.ZERO),
            "PERMISSION_ERROR",
            false));
  }

  @ParameterizedTest(name = "[{0}] -> {1}, resubmitted: {2}")
  @MethodSource("failedRemoteExecutions")
  void shouldClassifyEachKindOfRemoteFailureAndResubmitOnlyRetryableOnes(
      ExecutionScript script, String errorType, boolean resubmitted) {
    fixtures.reset();
    simulator.scriptFor("wf_failing", script);
    UUID execution = fixtures.submit(fixtures.savedWorkflow("wf_failing"));

    runOnce();

    Map<String, Object> row = fixtures.execution(execution);
    assertThat(row.get("error_type")).isEqualTo(errorType);
    assertThat(row.get("status")).isEqualTo(resubmitted ? "PENDING" : "FAILED");
    assertThat(row.get("retry_count")).isEqualTo(resubmitted ? 1 : 0);
    assertThat(fixtures.events(execution).stream().anyMatch(e -> e.startsWith("RETRY")))
        .isEqualTo(resubmitted);
  }
}
