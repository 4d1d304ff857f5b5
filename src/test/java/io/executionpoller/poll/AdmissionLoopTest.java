package io.executionpoller.poll;

import static io.executionpoller.support.Api.viewer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import io.agroal.api.AgroalDataSource;
import io.executionpoller.admission.AdmissionConfig;
import io.executionpoller.simulator.AmcSimulator;
import io.executionpoller.simulator.ExecutionScript;
import io.executionpoller.simulator.SimulatedQuotas;
import io.executionpoller.support.Fixtures;
import io.executionpoller.support.PostgresResource;
import io.executionpoller.support.TestAdmissionConfig;
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
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Admission within AMC's quotas through the real loop: counted in the database under the instance's
 * and account's locks, so replicas racing for the last slot never send an eleventh create; held
 * executions wait as PENDING with their reason, counting no error and no retry.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class AdmissionLoopTest {

  private static final Duration AWAIT = Duration.ofSeconds(60);

  @Inject AmcSimulator simulator;
  @Inject Fixtures fixtures;
  @Inject TestClock clock;
  @Inject AgroalDataSource dataSource;

  @BeforeEach
  void clean() {
    fixtures.reset();
  }

  private static void runOnce(PollCycle replica) {
    replica.runOnce().await().atMost(AWAIT);
  }

  private static PollCycle replica(String name, AdmissionConfig limits) {
    return ReplicaLoops.build(TestPollConfig.defaults().withConcurrency(1), name, limits);
  }

  /** A replica whose cycle claims and checks exactly one execution. */
  private static PollCycle singleCheckReplica(String name) {
    return ReplicaLoops.build(
        new SingleCheckCycles(TestPollConfig.defaults().withBatchSize(1)),
        name,
        TestAdmissionConfig.amc());
  }

  /** Runs on AMC as someone else's (or an earlier) execution, tracked and not due for an hour. */
  private UUID occupy(int slots, String remoteWorkflowId) {
    UUID workflow =
        fixtures
            .trackMany(
                remoteWorkflowId,
                slots,
                i -> ExecutionScript.succeeds(Duration.ZERO, Duration.ofHours(2), 1))
            .workflow();
    fixtures.update(
        "UPDATE workflow_executions SET status = 'RUNNING', next_poll_at = next_poll_at + interval '1"
            + " hour' WHERE workflow_id = '"
            + workflow
            + "'");
    return workflow;
  }

  private long activeAtAmc() {
    return simulator.executionRecords().stream()
        .filter(e -> e.status().equals("PENDING") || e.status().equals("RUNNING"))
        .count();
  }

  @Test
  void shouldNotLetTwoHeldExecutionsWhoseEarlierCreatesCameToNothingHoldEachOtherBack() {
    occupy(9, "wf_busy");
    UUID workflow = fixtures.savedWorkflow("wf_unanswered");
    UUID first = fixtures.submit(workflow);
    UUID second = fixtures.submit(workflow);
    // Both sent a create an hour ago that was never answered, and AMC made neither run: the
    // listing finds nothing for either, so each goes on to admission with the last slot free.
    fixtures.update(
        "UPDATE workflow_executions SET submit_attempted_at = TIMESTAMPTZ '"
            + clock.instant().minus(Duration.ofHours(1))
            + "' WHERE id IN ('"
            + first
            + "', '"
            + second
            + "')");

    runOnce(replica("replica-one", TestAdmissionConfig.amc()));

    // The first one checked is held at 9 + the other's old attempt; it forgets its own ruled-out
    // attempt, so the second counts 9 and takes the slot. Kept, the two attempts would each count
    // the other as at AMC, every time, and neither would ever be sent.
    assertThat(simulator.createCalls()).isEqualTo(1);
    assertThat(
            fixtures.count(
                "SELECT count(*) FROM workflow_executions WHERE amc_execution_id IS NOT NULL"
                    + " AND workflow_id = '"
                    + workflow
                    + "'"))
        .isEqualTo(1);
    assertThat(
            fixtures.count(
                "SELECT count(*) FROM workflow_executions WHERE queued_reason ="
                    + " 'INSTANCE_CONCURRENCY' AND submit_attempted_at IS NULL AND workflow_id = '"
                    + workflow
                    + "'"))
        .isEqualTo(1);
  }

  @Test
  void shouldLetOnlyOneOfTwoReplicasRacingForTheLastSlotCreateItsExecution() throws Exception {
    simulator.enforceQuotas(SimulatedQuotas.amc());
    occupy(9, "wf_busy");
    UUID first = fixtures.submit(fixtures.adHocWorkflow("SELECT first FROM t"));
    UUID second = fixtures.submit(fixtures.adHocWorkflow("SELECT second FROM t"));
    fixtures.update(
        "UPDATE workflow_executions SET next_poll_at = next_poll_at + interval '1 hour' WHERE id = '"
            + second
            + "'");
    String today = clock.instant().toString().substring(0, 10);
    fixtures.update(
        "INSERT INTO ad_hoc_creates (amc_instance_id, utc_day, creates)"
            + " SELECT id, DATE '"
            + today
            + "', 0 FROM amc_instances");
    PollCycle one = singleCheckReplica("replica-one");
    PollCycle two = singleCheckReplica("replica-two");

    // Both admissions are held at the day's ad hoc count, which comes after counting and before
    // the attempt is recorded: each counted what the other had not yet recorded, unless the
    // instance's lock made the second wait for the first.
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try (PreparedStatement hold =
          connection.prepareStatement("SELECT creates FROM ad_hoc_creates FOR UPDATE")) {
        hold.executeQuery();
      }
      CompletableFuture<CycleReport> firstLoop = one.runOnce().subscribeAsCompletionStage();
      await().atMost(AWAIT).until(() -> fixtures.lockWaiters() == 1);
      fixtures.update(
          "UPDATE workflow_executions SET next_poll_at = next_poll_at - interval '1 hour'"
              + " WHERE id = '"
              + second
              + "'");
      CompletableFuture<CycleReport> secondLoop = two.runOnce().subscribeAsCompletionStage();
      await().atMost(AWAIT).until(() -> fixtures.lockWaiters() == 2);
      connection.commit();
      firstLoop.get(AWAIT.toSeconds(), TimeUnit.SECONDS);
      secondLoop.get(AWAIT.toSeconds(), TimeUnit.SECONDS);
    }

    assertThat(simulator.quotaBreaches()).as("creates AMC refused for a quota").isZero();
    assertThat(activeAtAmc()).isEqualTo(10);
    Map<String, Object> created = fixtures.execution(first);
    Map<String, Object> held = fixtures.execution(second);
    assertThat(created.get("amc_execution_id")).isNotNull();
    assertThat(held.get("amc_execution_id")).isNull();
    assertThat(held.get("status")).isEqualTo("PENDING");
    assertThat(held.get("queued_reason")).isEqualTo("INSTANCE_CONCURRENCY");
    assertThat(held.get("submit_attempted_at")).isNull();
    assertThat(held.get("retry_count")).isEqualTo(0);
    assertThat(held.get("consecutive_poll_errors")).isEqualTo(0);
    assertThat(held.get("lease_owner")).isNull();
    assertThat(fixtures.instant(second, "next_poll_at"))
        .as("looked at again after the recheck interval, not at once")
        .isEqualTo(clock.instant().plusSeconds(30));
    assertThat(fixtures.count("SELECT creates FROM ad_hoc_creates")).isEqualTo(1);
    viewer()
        .get("/api/v1/executions/" + second)
        .then()
        .statusCode(200)
        .body("status", equalTo("PENDING"))
        .body("queuedReason", equalTo("INSTANCE_CONCURRENCY"));
    viewer().get("/api/v1/executions/" + first).then().body("queuedReason", nullValue());
  }

  @Test
  void shouldHoldAdHocCreatesOverTheDailyQuotaUntilUtcMidnight() {
    clock.set(Instant.parse("2026-03-10T23:50:00Z"));
    simulator.enforceQuotas(new SimulatedQuotas(100, 200, 2));
    PollCycle loop = replica("replica-daily", new TestAdmissionConfig(100, 200, 2));
    UUID workflow = fixtures.adHocWorkflow("SELECT daily FROM t");
    List<UUID> executions =
        List.of(fixtures.submit(workflow), fixtures.submit(workflow), fixtures.submit(workflow));

    runOnce(loop);

    UUID held =
        executions.stream()
            .filter(id -> fixtures.execution(id).get("amc_execution_id") == null)
            .findFirst()
            .orElseThrow();
    assertThat(simulator.createCalls()).isEqualTo(2);
    assertThat(fixtures.execution(held).get("queued_reason")).isEqualTo("DAILY_QUOTA");
    Instant midnight = Instant.parse("2026-03-11T00:00:00Z");
    assertThat(fixtures.instant(held, "next_poll_at")).isEqualTo(midnight);

    // Made due a second before midnight, it is still the same UTC day: held again.
    clock.set(midnight.minusSeconds(1));
    fixtures.update(
        "UPDATE workflow_executions SET next_poll_at = '2026-03-10T23:59:59Z' WHERE id = '"
            + held
            + "'");
    runOnce(loop);
    assertThat(simulator.createCalls()).isEqualTo(2);
    assertThat(fixtures.execution(held).get("queued_reason")).isEqualTo("DAILY_QUOTA");

    clock.set(midnight);
    runOnce(loop);

    Map<String, Object> row = fixtures.execution(held);
    assertThat(row.get("amc_execution_id")).isNotNull();
    assertThat(row.get("queued_reason")).isNull();
    assertThat(row.get("retry_count")).isEqualTo(0);
    assertThat(simulator.createCalls()).isEqualTo(3);
    assertThat(simulator.quotaBreaches()).isZero();
  }

  @Test
  void shouldHoldTheInstanceBackWhenAmcRefusesACreateForAQuota() {
    // AMC runs another client's execution on the instance and allows one: the daemon's own count
    // sees room, AMC does not.
    simulator.enforceQuotas(new SimulatedQuotas(1, 200, 30));
    simulator.preload(
        Fixtures.INSTANCE,
        "wf_elsewhere",
        ExecutionScript.succeeds(Duration.ZERO, Duration.ofHours(2), 1));
    PollCycle loop = replica("replica-refused", TestAdmissionConfig.amc());
    UUID refused = fixtures.submit(fixtures.savedWorkflow("wf_refused"));

    runOnce(loop);

    Map<String, Object> row = fixtures.execution(refused);
    assertThat(simulator.createCalls()).isEqualTo(1);
    assertThat(row.get("status")).isEqualTo("PENDING");
    assertThat(row.get("queued_reason")).isEqualTo("INSTANCE_CONCURRENCY");
    assertThat(row.get("submit_attempted_at")).as("a refusal created nothing").isNull();
    assertThat(row.get("retry_count")).isEqualTo(0);
    assertThat(row.get("error_type")).isNull();
    Instant holdEnds = clock.instant().plus(Duration.ofMinutes(10));
    assertThat(fixtures.instant(refused, "next_poll_at")).isEqualTo(holdEnds);
    assertThat(fixtures.events(refused)).containsExactly("REGISTERED null->PENDING");

    // Another execution of the instance waits for the hold without asking AMC.
    UUID next = fixtures.submit(fixtures.savedWorkflow("wf_next"));
    runOnce(loop);
    assertThat(simulator.createCalls()).isEqualTo(1);
    assertThat(fixtures.execution(next).get("queued_reason")).isEqualTo("INSTANCE_CONCURRENCY");
    assertThat(fixtures.instant(next, "next_poll_at")).isEqualTo(holdEnds);
  }

  @Test
  void shouldGiveTheLastSlotToTheWaitingWorkflowWithFewerExecutionsAtAmc() {
    PollCycle loop = replica("replica-fair", new TestAdmissionConfig(3, 200, 30));
    UUID greedy = fixtures.submit(occupy(2, "wf_greedy"));
    UUID modest = fixtures.submit(fixtures.savedWorkflow("wf_modest"));
    // Both already waited for a slot; the greedy workflow's execution is due first.
    fixtures.update(
        "UPDATE workflow_executions SET queued_reason = 'INSTANCE_CONCURRENCY',"
            + " next_poll_at = next_poll_at - interval '1 minute' WHERE id = '"
            + greedy
            + "'");
    fixtures.update(
        "UPDATE workflow_executions SET queued_reason = 'INSTANCE_CONCURRENCY' WHERE id = '"
            + modest
            + "'");

    runOnce(loop);

    assertThat(fixtures.execution(modest).get("amc_execution_id")).isNotNull();
    assertThat(fixtures.execution(greedy).get("amc_execution_id")).isNull();
    assertThat(fixtures.execution(greedy).get("queued_reason")).isEqualTo("INSTANCE_CONCURRENCY");
    assertThat(simulator.createCalls()).isEqualTo(1);
  }

  /** The test poll settings, but a cycle claims one execution and stops. */
  private record SingleCheckCycles(PollConfig base) implements PollConfig {
    @Override
    public boolean enabled() {
      return base.enabled();
    }

    @Override
    public Duration tick() {
      return base.tick();
    }

    @Override
    public Duration interval() {
      return base.interval();
    }

    @Override
    public int batchSize() {
      return 1;
    }

    @Override
    public int maxConcurrentPolls() {
      return 1;
    }

    @Override
    public int maxChecksPerCycle() {
      return 1;
    }

    @Override
    public Duration leaseDuration() {
      return base.leaseDuration();
    }

    @Override
    public Duration checkDeadline() {
      return base.checkDeadline();
    }

    @Override
    public int maxConsecutivePollErrors() {
      return base.maxConsecutivePollErrors();
    }

    @Override
    public Duration writeFlushInterval() {
      return base.writeFlushInterval();
    }

    @Override
    public Duration shutdownGrace() {
      return base.shutdownGrace();
    }

    @Override
    public Optional<String> replicaId() {
      return base.replicaId();
    }
  }
}
