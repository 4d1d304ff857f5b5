package io.executionpoller.poll;

import static org.assertj.core.api.Assertions.assertThat;

import io.executionpoller.simulator.AmcSimulator;
import io.executionpoller.simulator.ExecutionScript;
import io.executionpoller.support.Fixtures;
import io.executionpoller.support.PostgresResource;
import io.executionpoller.support.TestPollConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The loop's checks stay on the Vert.x event loops, where the AMC client and the reactive
 * PostgreSQL client answer. Run from a worker thread, every answer of both clients and of the
 * guards around AMC calls is handed to a worker thread again: two or more worker tasks a check.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class LoopThreadsTest {

  private static final int CHECKS = 200;

  @Inject AmcSimulator simulator;
  @Inject Fixtures fixtures;
  @Inject MeterRegistry registry;

  @BeforeEach
  void clean() {
    fixtures.reset();
  }

  @Test
  void shouldCheckWithoutHandingAnswersToWorkerThreads() {
    UUID workflow = fixtures.savedWorkflow("wf_threads");
    List<String> remoteIds =
        IntStream.range(0, CHECKS)
            .mapToObj(
                i ->
                    simulator.preload(
                        Fixtures.INSTANCE,
                        "wf_threads",
                        ExecutionScript.succeeds(Duration.ZERO, Duration.ofHours(3), 1)))
            .toList();
    fixtures.trackMany(workflow, remoteIds);
    PollCycle loop =
        ReplicaLoops.build(
            TestPollConfig.defaults().withConcurrency(16).withBatchSize(50), "threads");

    double before = workerTasksCompleted();
    CycleReport report = loop.runOnce().await().atMost(Duration.ofMinutes(2));
    double workerTasks = workerTasksCompleted() - before;

    assertThat(report.claimed()).isEqualTo(CHECKS);
    // Other work of the application (its gauges, the heartbeat) may use a worker now and then;
    // the loop's checks must not: fewer worker tasks than a tenth of the checks.
    assertThat(workerTasks).isLessThan(CHECKS / 10.0);
  }

  /** Tasks the Vert.x worker pool completed, as Quarkus's Micrometer binder counts them. */
  private double workerTasksCompleted() {
    return registry.find("worker.pool.completed").counters().stream()
        .mapToDouble(Counter::count)
        .sum();
  }
}
