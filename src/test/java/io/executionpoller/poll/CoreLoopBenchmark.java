package io.executionpoller.poll;

import io.executionpoller.remote.AmcClient;
import io.executionpoller.remote.RemoteTarget;
import io.executionpoller.simulator.AmcSimulator;
import io.executionpoller.simulator.ExecutionScript;
import io.executionpoller.support.Fixtures;
import io.executionpoller.support.PostgresResource;
import io.executionpoller.support.TestClock;
import io.executionpoller.support.TestPollConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Multi;
import jakarta.inject.Inject;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Throughput of unchanged status checks against the simulator with a fixed latency. Run with {@code
 * ./mvnw test -Pbenchmark -Dbench.executions=10000 -Dbench.latency-ms=50 -Dbench.concurrency=64};
 * prints and writes target/benchmark-core-loop.txt. It reports, it does not assert: timings on a
 * shared 2-core machine are not test material.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
@Tag("benchmark")
class CoreLoopBenchmark {

  @Inject AmcSimulator simulator;
  @Inject Fixtures fixtures;
  @Inject TestClock clock;
  @Inject MeterRegistry registry;

  @Test
  void shouldMeasureStatusChecksPerSecond() throws IOException {
    int executions = Integer.getInteger("bench.executions", 10_000);
    int latencyMs = Integer.getInteger("bench.latency-ms", 50);
    int concurrency = Integer.getInteger("bench.concurrency", 64);
    int rounds = Integer.getInteger("bench.rounds", 3);
    fixtures.reset();
    UUID workflow = fixtures.savedWorkflow("wf_bench");
    List<String> remoteIds =
        IntStream.range(0, executions)
            .mapToObj(
                i ->
                    simulator.preload(
                        Fixtures.INSTANCE,
                        "wf_bench",
                        ExecutionScript.succeeds(Duration.ZERO, Duration.ofDays(1), 1)))
            .toList();
    fixtures.trackMany(workflow, remoteIds);
    simulator.setLatency(Duration.ofMillis(latencyMs));
    PollCycle poller =
        ReplicaLoops.build(
            TestPollConfig.defaults()
                .withConcurrency(concurrency)
                .withBatchSize(
                    Integer.getInteger("bench.batch-size", Math.max(100, 2 * concurrency))),
            "bench");

    // Warm-up round: first observations (remote status written once), JIT, connection pools.
    poller.runOnce().await().atMost(Duration.ofMinutes(10));
    resetHeapPeaks();
    StringBuilder out = new StringBuilder();
    double ideal = concurrency * 1000.0 / latencyMs;
    out.append(
        String.format(
            "core-loop benchmark: N=%d L=%dms C=%d (ideal C/L = %.0f checks/s)%n",
            executions, latencyMs, concurrency, ideal));
    for (int round = 1; round <= rounds; round++) {
      clock.advance(Duration.ofSeconds(15));
      double statementsBefore = statements();
      long start = System.nanoTime();
      CycleReport report = poller.runOnce().await().atMost(Duration.ofMinutes(10));
      double seconds = (System.nanoTime() - start) / 1e9;
      double perSecond = report.claimed() / seconds;
      out.append(
          String.format(
              "round %d: %d checks (%d unchanged) in %.2f s = %.0f checks/s, ratio to ideal %.3f, %.4f DB statements per check%n",
              round,
              report.claimed(),
              report.unchanged(),
              seconds,
              perSecond,
              perSecond / ideal,
              (statements() - statementsBefore) / report.claimed()));
    }
    // The same calls without the loop or the database: what the client and the simulator alone
    // achieve on this machine, measured in the same run, to tell loop overhead from transport.
    AmcClient amc = io.quarkus.arc.Arc.container().instance(AmcClient.class).get();
    RemoteTarget target =
        new RemoteTarget(Fixtures.INSTANCE, Fixtures.ADVERTISER, Fixtures.MARKETPLACE, null);
    long transportStart = System.nanoTime();
    long answered =
        Multi.createFrom()
            .iterable(remoteIds)
            .onItem()
            .transformToUni(id -> amc.getExecution(target, id))
            .merge(concurrency)
            .collect()
            .with(Collectors.counting())
            .await()
            .atMost(Duration.ofMinutes(10));
    double transportPerSecond = answered / ((System.nanoTime() - transportStart) / 1e9);
    out.append(
        String.format(
            "transport only (AmcClient, no loop, no database): %.0f checks/s, ratio to ideal %.3f%n",
            transportPerSecond, transportPerSecond / ideal));
    out.append(
        String.format(
            "peak heap used during measured rounds: %.1f MB (max heap %.0f MB)%n",
            peakHeapMb(), Runtime.getRuntime().maxMemory() / 1048576.0));
    System.out.print(out);
    Files.writeString(Path.of("target", "benchmark-core-loop.txt"), out.toString());
  }

  private double statements() {
    return registry.find("poller.db.statements").counters().stream()
        .mapToDouble(c -> c.count())
        .sum();
  }

  private static void resetHeapPeaks() {
    System.gc();
    ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
  }

  private static double peakHeapMb() {
    return ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(pool -> pool.getType() == MemoryType.HEAP)
            .mapToLong(pool -> pool.getPeakUsage().getUsed())
            .sum()
        / 1048576.0;
  }
}
