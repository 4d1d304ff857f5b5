package io.executionpoller.poll;

import static org.assertj.core.api.Assertions.assertThat;

import io.executionpoller.simulator.AmcSimulator;
import io.executionpoller.simulator.ExecutionScript;
import io.executionpoller.simulator.FaultRates;
import io.executionpoller.support.Fixtures;
import io.executionpoller.support.PostgresResource;
import io.executionpoller.support.TestClock;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The fault scenario: 2,000 executions whose status checks meet 20% 5xx, 5% hangs, 5% 429 and 2%
 * malformed answers. Every execution must reach the status its script intends; the figures are AMC
 * calls per execution against a fault-free run of the same scripts, in the same JVM, and the time
 * to drain (simulated and wall clock).
 *
 * <p>{@code ./mvnw test -Pbenchmark -Dtest=FaultScenario}
 */
@QuarkusTest
@Tag("benchmark")
@TestProfile(FaultScenario.ShortTimeouts.class)
@WithTestResource(PostgresResource.class)
class FaultScenario {

  private static final int EXECUTIONS = 2000;
  private static final int INSTANCES = 200;
  private static final Duration TICK = Duration.ofSeconds(5);
  private static final int MAX_TICKS = 600;

  /** A hang costs the client timeout; keep it short so the scenario measures calls, not waits. */
  public static class ShortTimeouts implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "poller.amc.request-timeout", "250MS",
          "poller.amc.call-retry-backoff", "10MS");
    }
  }

  @Inject PollCycle cycle;
  @Inject AmcSimulator simulator;
  @Inject Fixtures fixtures;
  @Inject TestClock clock;

  private record Run(
      double callsPerExecution, int ticks, long wallMillis, Map<String, Long> ends) {}

  @Test
  void shouldBringEveryExecutionToItsIntendedStatusDespiteFaults() {
    Run clean = run(FaultRates.none());
    FaultRates faults = new FaultRates(0.02, 0.015, 0.015, 0.10, 0.05, 0.05, 0.05, 0.0, 0.02, 0.0);
    Run faulty = run(faults);

    System.out.printf(
        "SCENARIO fault-free: %.2f AMC calls/execution, drained in %d ticks (%d s simulated),"
            + " %d ms wall%n",
        clean.callsPerExecution(),
        clean.ticks(),
        clean.ticks() * TICK.toSeconds(),
        clean.wallMillis());
    System.out.printf(
        "SCENARIO faulty:     %.2f AMC calls/execution, drained in %d ticks (%d s simulated),"
            + " %d ms wall; faults injected %s%n",
        faulty.callsPerExecution(),
        faulty.ticks(),
        faulty.ticks() * TICK.toSeconds(),
        faulty.wallMillis(),
        simulator.faultsInjected());
    System.out.printf(
        "SCENARIO ratio calls faulty/fault-free = %.3f, drain (simulated) faulty/fault-free ="
            + " %.3f%n",
        faulty.callsPerExecution() / clean.callsPerExecution(),
        (double) faulty.ticks() / clean.ticks());
    assertThat(faulty.ends()).isEqualTo(clean.ends());
  }

  private Run run(FaultRates rates) {
    fixtures.reset();
    simulator.setRetryAfter(Duration.ofSeconds(20));
    SplittableRandom random = new SplittableRandom(2024);
    Map<UUID, String> intended = new HashMap<>();
    List<UUID> workflows = new ArrayList<>();
    for (int i = 0; i < INSTANCES; i++) {
      workflows.add(fixtures.savedWorkflow("wf_scenario", "inst" + i));
    }
    for (int i = 0; i < EXECUTIONS; i++) {
      int instance = i % INSTANCES;
      Duration pending = Duration.ofSeconds(random.nextInt(0, 30));
      Duration running = Duration.ofSeconds(random.nextInt(20, 90));
      double roll = random.nextDouble();
      ExecutionScript script;
      String status;
      if (roll < 0.85) {
        script = ExecutionScript.succeeds(pending, running, 3);
        status = "SUCCESS";
      } else if (roll < 0.95) {
        script =
            ExecutionScript.ends(
                pending, running, "FAILED", "SQL compilation error: unknown column 'clickz'");
        status = "FAILED";
      } else {
        script = ExecutionScript.ends(pending, running, "CANCELLED", "Cancelled by user");
        status = "CANCELLED";
      }
      String remote = simulator.preload("inst" + instance, "wf_scenario", script);
      UUID id = fixtures.trackMany(workflows.get(instance), List.of(remote)).get(0);
      intended.put(id, status);
    }
    simulator.setFaultRates(rates, 7);

    long started = System.nanoTime();
    int ticks = 0;
    while (ticks < MAX_TICKS && activeCount() > 0) {
      cycle.runOnce().await().atMost(Duration.ofMinutes(5));
      clock.advance(TICK);
      ticks++;
    }
    long wallMillis = (System.nanoTime() - started) / 1_000_000;
    simulator.setFaultRates(FaultRates.none());

    Map<String, Long> ends = new HashMap<>();
    for (Map<String, Object> row :
        fixtures.query("SELECT id, status, error_type FROM workflow_executions")) {
      UUID id = (UUID) row.get("id");
      assertThat(row.get("status")).as("execution %s", id).isEqualTo(intended.get(id));
      if ("FAILED".equals(row.get("status"))) {
        assertThat(row.get("error_type")).isEqualTo("QUERY_ERROR");
      }
      ends.merge((String) row.get("status"), 1L, Long::sum);
    }
    // Every request that reached AMC: status checks, repeats, token-refused ones, all of them.
    return new Run((double) simulator.totalApiCalls() / EXECUTIONS, ticks, wallMillis, ends);
  }

  private long activeCount() {
    return fixtures.count(
        "SELECT count(*) FROM workflow_executions WHERE status IN ('PENDING', 'RUNNING')");
  }
}
