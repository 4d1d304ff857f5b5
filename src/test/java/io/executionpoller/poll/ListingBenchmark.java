package io.executionpoller.poll;

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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * AMC calls and detection delay of today's loop (one GET per check, every 15 s) against batched
 * reads with adaptive intervals, in one run: a replay against the simulator, with time compressed
 * through the test clock. Three instances, 300 executions whose run times are log-normal (median 10
 * min, p95 45 min), submitted in waves above AMC's ten running per instance. Run with {@code ./mvnw
 * test -Pbenchmark -Dtest=ListingBenchmark}; prints and writes target/benchmark-listing.txt. It
 * reports, it does not assert.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
@Tag("benchmark")
class ListingBenchmark {

  private static final List<String> INSTANCES =
      List.of(Fixtures.INSTANCE, "amcinst02", "amcinst03");

  /** sigma of ln(run time) for p95 = 4.5 × median: ln(4.5) / z(0.95). */
  private static final double SIGMA = Math.log(4.5) / 1.6448536;

  @Inject AmcSimulator simulator;
  @Inject Fixtures fixtures;
  @Inject TestClock clock;
  @Inject WorkflowDurations durations;
  @Inject ListingConfig listing;
  @Inject ScheduleConfig schedule;

  /** One mode's figures. */
  private record Figures(
      String mode,
      int executions,
      int finished,
      int failed,
      int creates,
      int statusGets,
      int listings,
      int allCalls,
      List<Double> delaysSeconds,
      List<Double> delayFractions,
      int withinTarget,
      Duration simulated,
      int quotaBreaches,
      long failedForQuota) {}

  @Test
  void shouldCompareTodaysLoopWithBatchedReadsAndAdaptiveIntervals() throws IOException {
    int executions = Integer.getInteger("bench.listing.executions", 300);
    int waves = Integer.getInteger("bench.listing.waves", 5);
    Duration waveGap = Duration.ofMinutes(Integer.getInteger("bench.listing.wave-gap-min", 20));
    Duration step = Duration.ofSeconds(Integer.getInteger("bench.listing.step-s", 5));
    long seed = Long.getLong("bench.listing.seed", 42);
    List<Duration> runTimes = runTimes(executions, seed);

    Figures today =
        replay(
            "today: single GETs every 15 s",
            StatusReadRule.Settings.off(),
            PollSchedule.Settings.fixed(Duration.ofSeconds(15)),
            runTimes,
            waves,
            waveGap,
            step,
            false);
    Figures batched =
        replay(
            "batched reads + adaptive intervals + admission within AMC's quotas (defaults)",
            new StatusReadRule.Settings(
                true, listing.minDue(), listing.maxAge(), listing.window(), listing.maxPages()),
            adaptiveDefaults(),
            runTimes,
            waves,
            waveGap,
            step,
            true);

    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            "listing benchmark: %d executions on %d instances, %d waves %d min apart, log-normal"
                + " run times (median 10 min, p95 45 min, seed %d), clock step %d s%n",
            executions, INSTANCES.size(), waves, waveGap.toMinutes(), seed, step.toSeconds()));
    describe(out, today);
    describe(out, batched);
    double todayReads = (today.statusGets() + today.listings()) / (double) today.executions();
    double batchedReads =
        (batched.statusGets() + batched.listings()) / (double) batched.executions();
    out.append(
        String.format(
            "status reads per execution: %.1f -> %.1f (%.1fx fewer)%n",
            todayReads, batchedReads, todayReads / batchedReads));
    out.append(
        String.format(
            "new loop under AMC's quotas enforced by the simulator: %d quota breaches, %d"
                + " executions FAILED for a quota (today's loop: AMC queues what is over)%n",
            batched.quotaBreaches(), batched.failedForQuota()));
    System.out.print(out);
    Files.writeString(Path.of("target", "benchmark-listing.txt"), out.toString());
  }

  private PollSchedule.Settings adaptiveDefaults() {
    return new PollSchedule.Settings(
        true,
        Duration.ofSeconds(15),
        schedule.minInterval(),
        schedule.maxInterval(),
        schedule.elapsedFraction(),
        schedule.pendingMaxInterval(),
        schedule.finishWindowStart(),
        schedule.finishFraction(),
        new TypicalRun(schedule.defaultMedianRuntime(), schedule.defaultP90Runtime()),
        listing.maxAge());
  }

  private Figures replay(
      String mode,
      StatusReadRule.Settings reads,
      PollSchedule.Settings intervals,
      List<Duration> runTimes,
      int waves,
      Duration waveGap,
      Duration step,
      boolean quotas) {
    fixtures.reset();
    Instant start = clock.instant();
    List<UUID> workflows = new ArrayList<>();
    Map<String, List<ExecutionScript>> scripts = new HashMap<>();
    for (int i = 0; i < INSTANCES.size(); i++) {
      String remoteWorkflow = "wf_bench_" + i;
      workflows.add(fixtures.savedWorkflow(remoteWorkflow, INSTANCES.get(i)));
      scripts.put(remoteWorkflow, new ArrayList<>());
    }
    // Execution n goes to instance n mod 3, in submission order: each workflow's queue of scripts.
    for (int n = 0; n < runTimes.size(); n++) {
      scripts
          .get("wf_bench_" + n % INSTANCES.size())
          .add(ExecutionScript.succeeds(Duration.ZERO, runTimes.get(n), 1));
    }
    scripts.forEach(simulator::scriptEach);
    PollCycle cycle;
    if (quotas) {
      // AMC's quotas, enforced by the simulator and kept by admission at AMC's own numbers: the
      // waves go above the 10 per instance, and a create past a quota is refused and counted.
      simulator.enforceQuotas(SimulatedQuotas.amc());
      cycle =
          ReplicaLoops.build(
              TestPollConfig.defaults().withConcurrency(20),
              "bench",
              reads,
              intervals,
              TestAdmissionConfig.amc());
    } else {
      // Today's loop submits whatever is registered, and AMC queues what is over its limit.
      cycle =
          ReplicaLoops.build(
              TestPollConfig.defaults().withConcurrency(20), "bench", reads, intervals);
    }
    int perWave = (runTimes.size() + waves - 1) / waves;
    int submitted = 0;
    Instant nextWave = start;
    Instant nextRefresh = start;
    Instant giveUp = start.plus(Duration.ofHours(12));
    while (clock.instant().isBefore(giveUp)) {
      if (submitted < runTimes.size() && !clock.instant().isBefore(nextWave)) {
        for (int k = 0; k < perWave && submitted < runTimes.size(); k++, submitted++) {
          fixtures.submit(workflows.get(submitted % INSTANCES.size()));
        }
        nextWave = nextWave.plus(waveGap);
      }
      if (!clock.instant().isBefore(nextRefresh)) {
        durations.refresh().await().atMost(Duration.ofMinutes(1));
        nextRefresh = nextRefresh.plus(Duration.ofMinutes(5));
      }
      cycle.runOnce().await().atMost(Duration.ofMinutes(5));
      if (submitted == runTimes.size()
          && fixtures.count("SELECT count(*) FROM workflow_executions WHERE completed_at IS NULL")
              == 0) {
        break;
      }
      clock.advance(step);
    }
    return figures(mode, runTimes.size(), Duration.between(start, clock.instant()));
  }

  private Figures figures(String mode, int executions, Duration simulated) {
    Map<String, AmcSimulator.ExecutionRecord> remote = new HashMap<>();
    simulator.executionRecords().forEach(record -> remote.put(record.id(), record));
    List<Double> delays = new ArrayList<>();
    List<Double> fractions = new ArrayList<>();
    int within = 0;
    int failed = 0;
    for (Map<String, Object> row :
        fixtures.query(
            "SELECT amc_execution_id, status, completed_at FROM workflow_executions"
                + " WHERE completed_at IS NOT NULL")) {
      if (!"SUCCESS".equals(row.get("status"))) {
        failed++;
      }
      AmcSimulator.ExecutionRecord record = remote.get((String) row.get("amc_execution_id"));
      if (record == null || record.finishedAt() == null) {
        continue;
      }
      Instant seen = ((Timestamp) row.get("completed_at")).toInstant();
      double delay = Duration.between(record.finishedAt(), seen).toMillis() / 1000.0;
      double runTime =
          Duration.between(record.startedAt(), record.finishedAt()).toMillis() / 1000.0;
      delays.add(delay);
      fractions.add(delay / runTime);
      if (delay <= Math.max(0.1 * runTime, 30)) {
        within++;
      }
    }
    int statusGets =
        simulator.statusCallsByExecution().values().stream().mapToInt(Integer::intValue).sum();
    return new Figures(
        mode,
        executions,
        delays.size(),
        failed,
        simulator.createCalls(),
        statusGets,
        simulator.listCalls(),
        simulator.totalApiCalls(),
        delays,
        fractions,
        within,
        simulated,
        simulator.quotaBreaches(),
        fixtures.count(
            "SELECT count(*) FROM workflow_executions WHERE status = 'FAILED'"
                + " AND (lower(error_message) LIKE '%quota%' OR lower(last_error) LIKE '%quota%')"));
  }

  private static void describe(StringBuilder out, Figures f) {
    double n = f.executions();
    out.append(
        String.format(
            "%n[%s] %d of %d finished and seen (%d not SUCCESS) in %s simulated%n",
            f.mode(), f.finished(), f.executions(), f.failed(), f.simulated()));
    out.append(
        String.format(
            "  AMC calls per execution: all %.1f (creates %.2f, status GETs %.1f, listing pages %.1f);"
                + " status reads %.1f%n",
            f.allCalls() / n,
            f.creates() / n,
            f.statusGets() / n,
            f.listings() / n,
            (f.statusGets() + f.listings()) / n));
    out.append(
        String.format(
            "  detection delay: p50 %.1f s, p95 %.1f s, max %.1f s; as a fraction of run time:"
                + " p50 %.3f, p95 %.3f, max %.3f; within max(10%% of run time, 30 s): %d of %d%n",
            percentile(f.delaysSeconds(), 0.5),
            percentile(f.delaysSeconds(), 0.95),
            percentile(f.delaysSeconds(), 1.0),
            percentile(f.delayFractions(), 0.5),
            percentile(f.delayFractions(), 0.95),
            percentile(f.delayFractions(), 1.0),
            f.withinTarget(),
            f.finished()));
  }

  /** Nearest-rank percentile; NaN for no values. */
  private static double percentile(List<Double> values, double p) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int rank = (int) Math.ceil(p * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }

  /** Log-normal run times, median 10 min, p95 45 min, whole seconds, at least one. */
  private static List<Duration> runTimes(int count, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<Duration> times = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      double seconds = 600 * Math.exp(SIGMA * gaussian(random));
      times.add(Duration.ofSeconds(Math.max(1, Math.round(seconds))));
    }
    return times;
  }

  /** A standard normal value (Box-Muller). */
  private static double gaussian(SplittableRandom random) {
    double u = 1.0 - random.nextDouble();
    double v = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
