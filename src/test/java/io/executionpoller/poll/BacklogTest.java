package io.executionpoller.poll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agroal.api.AgroalDataSource;
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
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A backlog larger than one cycle is worked at once, not one cycle per tick. */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class BacklogTest {

  private static final Duration AWAIT = Duration.ofSeconds(120);
  private static final Duration TICK = Duration.ofSeconds(1);

  @Inject AmcSimulator simulator;
  @Inject Fixtures fixtures;
  @Inject TestClock clock;
  @Inject AgroalDataSource dataSource;
  @Inject MeterRegistry registry;

  @BeforeEach
  void clean() {
    fixtures.reset();
  }

  /**
   * Three and a half cycles of work due at once. Each tick does what the scheduler's tick does (one
   * run of the loop), and the injected clock moves one tick between them: the whole backlog is
   * checked in the first tick, none is left for later ticks to find.
   */
  @Test
  void shouldCheckABacklogOfSeveralCyclesInTheFirstTickLeavingNoTickIdleWhileWorkIsDue() {
    List<String> remoteIds = tracked("wf_backlog", 350);
    PollCycle loop =
        ReplicaLoops.build(
            TestPollConfig.defaults()
                .withConcurrency(8)
                .withBatchSize(50)
                .withMaxChecksPerCycle(100),
            "backlog");

    List<Integer> checksPerTick = new ArrayList<>();
    int before = 0;
    for (int tick = 1; tick <= 4; tick++) {
      loop.runOnce().await().atMost(AWAIT);
      int after = totalStatusCalls();
      checksPerTick.add(after - before);
      before = after;
      clock.advance(TICK);
    }

    assertThat(checksPerTick).containsExactly(350, 0, 0, 0);
    assertThat(simulator.statusCallsByExecution().keySet())
        .containsExactlyInAnyOrderElementsOf(remoteIds);
  }

  /**
   * A cycle's end is not a drain: one check of the first cycle is held at AMC, and the checks of
   * the cycles after it are made meanwhile.
   */
  @Test
  void shouldCheckTheNextCyclesWhileACheckOfTheFirstIsStillInFlight() {
    tracked("wf_overlap", 60);
    simulator.scriptFaults(Operation.STATUS, AmcSimulator.ANY, List.of(Fault.HELD));
    PollCycle loop =
        ReplicaLoops.build(
            TestPollConfig.defaults()
                .withConcurrency(4)
                .withBatchSize(10)
                .withMaxChecksPerCycle(20),
            "overlap");

    CompletableFuture<CycleReport> run = loop.runOnce().subscribeAsCompletionStage();
    await().atMost(AWAIT).until(() -> simulator.heldCalls() == 1);
    await()
        .atMost(AWAIT)
        .untilAsserted(
            () ->
                assertThat(simulator.statusCallsByExecution())
                    .as("every execution but the held one checked while it is held")
                    .hasSizeGreaterThanOrEqualTo(59));
    assertThat(simulator.heldCalls()).isEqualTo(1);
    simulator.releaseHeldCalls();

    CycleReport report = run.orTimeout(AWAIT.toSeconds(), TimeUnit.SECONDS).join();
    assertThat(report.claimed()).isEqualTo(60);
    assertThat(report.lostWrites()).isZero();
  }

  /**
   * Another replica's claim is in flight (its row locks held in an open transaction) over every row
   * this replica's claim is offered: that claim comes back empty while one row is still due past
   * them. It must not end the run: once the other claim commits its leases, this one takes the
   * rest.
   */
  @Test
  void shouldClaimPastAnotherReplicasClaimInFlightInsteadOfEndingTheRun() throws Exception {
    tracked("wf_contended", 5);
    fixtures.update(
        "UPDATE workflow_executions e SET next_poll_at = e.next_poll_at - make_interval(secs =>"
            + " r.n) FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM"
            + " workflow_executions) r WHERE r.id = e.id");
    PollCycle loop =
        ReplicaLoops.build(TestPollConfig.defaults().withConcurrency(1).withBatchSize(1), "mine");
    // A claim of one is offered the four earliest rows; the other replica's claim holds them.
    try (Connection other = dataSource.getConnection()) {
      other.setAutoCommit(false);
      List<UUID> held = new ArrayList<>();
      try (PreparedStatement lock =
              other.prepareStatement(
                  "SELECT id FROM workflow_executions ORDER BY next_poll_at LIMIT 4 FOR UPDATE");
          ResultSet rows = lock.executeQuery()) {
        while (rows.next()) {
          held.add(rows.getObject(1, UUID.class));
        }
      }
      double claimsBefore = claimStatements();
      CompletableFuture<CycleReport> run = loop.runOnce().subscribeAsCompletionStage();
      await().atMost(AWAIT).until(() -> run.isDone() || claimStatements() >= claimsBefore + 2);
      try (PreparedStatement lease =
          other.prepareStatement(
              "UPDATE workflow_executions SET lease_owner = 'replica-other', lease_expires_at ="
                  + " now() + interval '2 minutes', version = version + 1 WHERE id = ANY(?)")) {
        lease.setArray(1, other.createArrayOf("uuid", held.toArray()));
        assertThat(lease.executeUpdate()).isEqualTo(4);
      }
      other.commit();

      CycleReport report = run.orTimeout(AWAIT.toSeconds(), TimeUnit.SECONDS).join();
      assertThat(report.claimed()).as("the row past the other claim's").isEqualTo(1);
    }
  }

  private double claimStatements() {
    return registry.get("poller.db.statements").tag("operation", "claim").counter().count();
  }

  private List<String> tracked(String workflowId, int count) {
    return fixtures
        .trackMany(
            workflowId, count, i -> ExecutionScript.succeeds(Duration.ZERO, Duration.ofHours(3), 1))
        .remoteIds();
  }

  private int totalStatusCalls() {
    return simulator.statusCallsByExecution().values().stream().mapToInt(Integer::intValue).sum();
  }
}
