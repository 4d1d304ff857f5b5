package io.executionpoller.poll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.executionpoller.simulator.AmcSimulator;
import io.executionpoller.simulator.ExecutionScript;
import io.executionpoller.simulator.Fault;
import io.executionpoller.simulator.Operation;
import io.executionpoller.support.Fixtures;
import io.executionpoller.support.PostgresResource;
import io.executionpoller.support.TestPollConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Transitions are written a batch per statement, and still guarded row by row. */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class BatchedWriteTest {

  private static final Duration AWAIT = Duration.ofSeconds(120);

  @Inject AmcSimulator simulator;
  @Inject Fixtures fixtures;
  @Inject MeterRegistry registry;

  @BeforeEach
  void clean() {
    fixtures.reset();
  }

  /**
   * Both checks find their runs SUCCEEDED and are held at AMC; meanwhile an operator's cancel is
   * written on one row (the API's guarded write: status, version and lease move on; AMC is left
   * alone, so it still answers SUCCEEDED and a write that got through would show as a success). The
   * batch that writes both outcomes must lose that one row's write only: it stays CANCELLED with no
   * success recorded, and the other succeeds with its events and its download step.
   */
  @Test
  void shouldLoseOnlyTheRowAnOperatorCancelledBetweenTheClaimAndTheBatchedWrite() {
    List<UUID> executions =
        fixtures
            .trackMany(
                "wf_batch", 2, i -> ExecutionScript.succeeds(Duration.ZERO, Duration.ZERO, 1))
            .executions();
    UUID cancelled = executions.get(0);
    UUID succeeded = executions.get(1);
    simulator.scriptFaults(Operation.STATUS, AmcSimulator.ANY, Collections.nCopies(2, Fault.HELD));
    PollCycle loop = ReplicaLoops.build(TestPollConfig.defaults().withConcurrency(2), "batch");
    double batchesBefore = statements("update_batch");
    double singlesBefore = statements("update");

    CompletableFuture<CycleReport> run = loop.runOnce().subscribeAsCompletionStage();
    await().atMost(AWAIT).until(() -> simulator.heldCalls() == 2);
    fixtures.update(
        "UPDATE workflow_executions SET status = 'CANCELLED', status_reason = 'cancelled by an"
            + " operator', lease_owner = NULL, lease_expires_at = NULL, version = version + 1"
            + " WHERE id = '"
            + cancelled
            + "'");
    simulator.releaseHeldCalls();
    CycleReport report = run.orTimeout(AWAIT.toSeconds(), TimeUnit.SECONDS).join();

    assertThat(report.lostWrites()).as("the cancelled row's write").isEqualTo(1);
    assertThat(report.updated()).as("the other row's write").isEqualTo(1);
    assertThat(fixtures.status(cancelled)).isEqualTo("CANCELLED");
    assertThat(fixtures.events(cancelled)).noneMatch(event -> event.endsWith("->SUCCESS"));
    assertThat(fixtures.status(succeeded)).isEqualTo("SUCCESS");
    assertThat(fixtures.events(succeeded)).anyMatch(event -> event.endsWith("->SUCCESS"));
    assertThat(
            fixtures.count(
                "SELECT count(*) FROM execution_results WHERE execution_id = ?", succeeded))
        .isEqualTo(1);
    assertThat(
            fixtures.count(
                "SELECT count(*) FROM execution_results WHERE execution_id = ?", cancelled))
        .isZero();
    assertThat(statements("update_batch")).isGreaterThan(batchesBefore);
    assertThat(statements("update")).as("no update written one by one").isEqualTo(singlesBefore);
  }

  private double statements(String operation) {
    return registry.get("poller.db.statements").tag("operation", operation).counter().count();
  }
}
