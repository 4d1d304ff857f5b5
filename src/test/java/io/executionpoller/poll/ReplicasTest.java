package io.executionpoller.poll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.executionpoller.simulator.AmcSimulator;
import io.executionpoller.simulator.ExecutionScript;
import io.executionpoller.simulator.Fault;
import io.executionpoller.simulator.Operation;
import io.executionpoller.support.Fixtures;
import io.executionpoller.support.PostgresResource;
import io.executionpoller.support.TestClock;
import io.executionpoller.support.TestPollConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Several pollers on one database: the work is shared and nothing is done twice. */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class ReplicasTest {

  private static final Duration AWAIT = Duration.ofSeconds(120);

  @Inject AmcSimulator simulator;
  @Inject Fixtures fixtures;
  @Inject TestClock clock;
  @Inject MeterRegistry registry;

  @BeforeEach
  void clean() {
    fixtures.reset();
  }

  @Test
  void shouldIssueEachDueCheckFromExactlyOneOfTwoPollersAndApplyNoTransitionTwice() {
    simulator.setLatency(Duration.ofMillis(10));
    List<String> remoteIds =
        fixtures
            .trackMany(
                "wf_shared",
                1000,
                // A mix: some finish during the test, most keep running or queued.
                i ->
                    i % 4 == 0
                        ? ExecutionScript.succeeds(Duration.ZERO, Duration.ofSeconds(10), 1)
                        : ExecutionScript.succeeds(Duration.ZERO, Duration.ofHours(3), 1))
            .remoteIds();
    TestPollConfig config = TestPollConfig.defaults().withConcurrency(8).withBatchSize(50);
    PollCycle replicaA = ReplicaLoops.build(config, "replica-a");
    PollCycle replicaB = ReplicaLoops.build(config, "replica-b");

    int claimedByA = 0;
    int claimedByB = 0;
    Map<String, Integer> expectedCalls = new HashMap<>();
    remoteIds.forEach(id -> expectedCalls.put(id, 0));
    for (int round = 1; round <= 4; round++) {
      List<String> active = activeRemoteIds();
      active.forEach(id -> expectedCalls.merge(id, 1, Integer::sum));

      List<CycleReport> reports =
          round == 1 ? bothHoldingWork(replicaA, replicaB) : together(replicaA, replicaB);

      claimedByA += reports.get(0).claimed();
      claimedByB += reports.get(1).claimed();
      assertThat(reports.get(0).claimed() + reports.get(1).claimed())
          .as("round %d: every due execution claimed once in total", round)
          .isEqualTo(active.size());
      assertThat(reports).allSatisfy(report -> assertThat(report.lostWrites()).isZero());
      Map<String, Integer> calls = simulator.statusCallsByExecution();
      for (String id : remoteIds) {
        assertThat(calls.getOrDefault(id, 0))
            .as("status calls of %s after round %d", id, round)
            .isEqualTo(expectedCalls.get(id));
      }
      clock.advance(Duration.ofSeconds(15));
    }

    assertThat(
            fixtures.count(
                "SELECT count(*) FROM (SELECT execution_id, attempt, from_status, to_status FROM execution_events"
                    + " WHERE type = 'TRANSITION' GROUP BY 1, 2, 3, 4 HAVING count(*) > 1) duplicates"))
        .isZero();
    assertThat(fixtures.count("SELECT count(*) FROM workflow_executions WHERE status = 'SUCCESS'"))
        .isPositive();
    assertThat(claimedByA).as("replica A did part of the work").isPositive();
    assertThat(claimedByB).as("replica B did part of the work").isPositive();
  }

  /**
   * Both cycles at once, with the sharing forced rather than left to which first claim lands first:
   * AMC holds the first sixteen status calls, so replica A stops at its eight checks in flight with
   * the rest of the round unclaimed; B starts only then, and both are let go once B holds eight
   * too.
   */
  private List<CycleReport> bothHoldingWork(PollCycle replicaA, PollCycle replicaB) {
    simulator.scriptFaults(Operation.STATUS, AmcSimulator.ANY, Collections.nCopies(16, Fault.HELD));
    CompletableFuture<CycleReport> a = replicaA.runOnce().subscribeAsCompletionStage();
    await().atMost(AWAIT).until(() -> simulator.heldCalls() == 8);
    CompletableFuture<CycleReport> b = replicaB.runOnce().subscribeAsCompletionStage();
    await().atMost(AWAIT).until(() -> simulator.heldCalls() == 16);
    simulator.releaseHeldCalls();
    return List.of(
        a.orTimeout(AWAIT.toSeconds(), TimeUnit.SECONDS).join(),
        b.orTimeout(AWAIT.toSeconds(), TimeUnit.SECONDS).join());
  }

  private static List<CycleReport> together(PollCycle replicaA, PollCycle replicaB) {
    return Uni.combine()
        .all()
        .unis(replicaA.runOnce(), replicaB.runOnce())
        .with((CycleReport a, CycleReport b) -> List.of(a, b))
        .await()
        .atMost(AWAIT);
  }

  @Test
  void shouldCostAtMostAFifthOfAStatementPerUnchangedCheck() {
    fixtures.trackMany(
        "wf_steady", 500, i -> ExecutionScript.succeeds(Duration.ZERO, Duration.ofHours(5), 1));
    PollCycle poller = ReplicaLoops.build(TestPollConfig.defaults().withConcurrency(20), "steady");
    poller.runOnce().await().atMost(AWAIT);
    clock.advance(Duration.ofSeconds(15));

    double before = statements();
    CycleReport report = poller.runOnce().await().atMost(AWAIT);
    double perCheck = (statements() - before) / report.claimed();

    assertThat(report.claimed()).isEqualTo(500);
    assertThat(report.unchanged()).isEqualTo(500);
    assertThat(perCheck).isLessThanOrEqualTo(0.2);
  }

  @Test
  void shouldNotTakeALeaseEarlyWhenItsClockRunsAMinuteAhead() {
    List<UUID> executions =
        fixtures
            .trackMany(
                "wf_skewed",
                2,
                i -> ExecutionScript.succeeds(Duration.ZERO, Duration.ofHours(5), 1))
            .executions();
    ExecutionStore store = io.quarkus.arc.Arc.container().instance(ExecutionStore.class).get();
    // The punctual replica holds the first execution (its check still in flight)...
    List<ClaimedExecution> held =
        store
            .claim("replica-punctual", clock.instant(), Duration.ofMinutes(2), 1)
            .await()
            .atMost(AWAIT);
    assertThat(held).hasSize(1);
    UUID heldId = held.get(0).id();
    // ...61 s into its 2 min lease, while a replica whose clock runs 60 s ahead polls.
    clock.advance(Duration.ofSeconds(61));
    PollCycle fast =
        ReplicaLoops.build(
            TestPollConfig.defaults(), "replica-fast", Clock.offset(clock, Duration.ofSeconds(60)));

    CycleReport report = fast.runOnce().await().atMost(AWAIT);

    assertThat(report.claimed()).as("only the execution nobody holds").isEqualTo(1);
    assertThat(fixtures.execution(heldId).get("lease_owner")).isEqualTo("replica-punctual");
    UUID free = executions.stream().filter(id -> !id.equals(heldId)).findFirst().orElseThrow();
    assertThat(fixtures.execution(free).get("poll_count")).isEqualTo(1);
  }

  private double statements() {
    return registry.find("poller.db.statements").counters().stream()
        .mapToDouble(c -> c.count())
        .sum();
  }

  private List<String> activeRemoteIds() {
    List<String> active = new ArrayList<>();
    fixtures
        .query(
            "SELECT amc_execution_id FROM workflow_executions WHERE status IN ('PENDING', 'RUNNING')")
        .forEach(row -> active.add((String) row.get("amc_execution_id")));
    return active;
  }
}
