package io.executionpoller.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.executionpoller.simulator.AmcSimulator.ExecutionRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two and three replicas of the packaged daemon race for 2,000 executions on one database, which
 * AMC completes after a few checks. They share the work through leases only, so: no execution is
 * checked twice for one due time (two AMC calls for it closer than the poll interval), none is
 * created twice at AMC, no event or result is written twice, all end where their scripts say
 * ({@link ExecutionAudit}); and each tick of every housekeeping job ran on exactly one replica (but
 * while a replica starts, see {@link #assertHousekeepingRanOncePerTick}).
 */
class RacingReplicasIT {

  private static final Duration INTERVAL = Duration.ofSeconds(2);

  /** Long enough that no lease expires while its holder lives: every takeover would be a bug. */
  private static final Duration LEASE = Duration.ofSeconds(30);

  private static final Duration ARRIVALS = Duration.ofSeconds(15);
  private static final Duration HOUSEKEEPING_EVERY = Duration.ofSeconds(2);
  private static final List<String> HOUSEKEEPING_JOBS =
      List.of("lease-reaper", "timeout-sweep", "stuck-scan", "retention");
  private static final Pattern HOUSEKEEPING_RUN =
      Pattern.compile("HOUSEKEEPING_RUN job=(\\S+) scheduledFor=(\\S+)");

  private static final Workload.Kind SUCCEEDS =
      Workload.succeeds("race_succeeds", Duration.ofSeconds(1), Duration.ofSeconds(4), 3);
  private static final Workload.Kind FAILS =
      Workload.fails("race_fails", Duration.ofSeconds(1), Duration.ofSeconds(4));
  private static final Workload.Kind CANCELLED =
      Workload.cancelled("race_cancelled", Duration.ofSeconds(1), Duration.ofSeconds(4));

  @RegisterExtension static final AmcPerClass AMC = new AmcPerClass("race-amc");

  @ParameterizedTest(name = "{0} replicas")
  @ValueSource(ints = {2, 3})
  void shouldShareTwoThousandExecutionsWithoutDoingAnythingTwice(int replicas) {
    // 20 instances x (15 + 40 + 45) = 2,000 executions; 300 of them bring a result (downloads
    // are claimed once a second per replica, so many more would only make the test slow).
    Workload workload =
        new Workload("ENTITYRACE" + replicas)
            .add(SUCCEEDS, 20, 15)
            .add(FAILS, 20, 40)
            .add(CANCELLED, 20, 45);
    assertThat(workload.size()).isEqualTo(2000);
    workload.script(AMC.get());
    try (ScratchDatabase database = ScratchDatabase.create("race_" + replicas);
        Daemons daemons = new Daemons()) {
      race(replicas, workload, database, daemons);
    }
  }

  private void race(int replicas, Workload workload, ScratchDatabase database, Daemons daemons) {
    SimulatedAmc amc = AMC.get();
    for (int i = 1; i <= replicas; i++) {
      Map<String, String> env =
          DaemonSettings.replica(database, amc, "racer-" + i, INTERVAL, LEASE);
      env.put("POLLER_POLL_MAX_CONCURRENT_POLLS", "16");
      env.put("POLLER_RESULTS_MAX_CONCURRENT_DOWNLOADS", "8");
      env.put("QUARKUS_DATASOURCE_JDBC_MAX_SIZE", "12");
      env.put("POLLER_HOUSEKEEPING_ENABLED", "true");
      for (String job : HOUSEKEEPING_JOBS) {
        env.put(
            "POLLER_HOUSEKEEPING_" + job.toUpperCase().replace('-', '_') + "_EVERY",
            HOUSEKEEPING_EVERY.toString());
      }
      env.put("QUARKUS_LOG_CATEGORY__IO_EXECUTIONPOLLER_HOUSEKEEPING__LEVEL", "DEBUG");
      daemons.start("race-" + replicas + "-racer-" + i, env);
      if (i == 1) {
        // The first start on a fresh database creates Quartz's lock rows; replicas starting at
        // that very moment can collide on them and fail to start (qrtz_locks_pkey, jdbc-cmt),
        // which is a first-deployment problem, not the race this test is about.
        daemons.get(0).awaitReady(Duration.ofSeconds(120));
      }
    }
    daemons.forEach(daemon -> daemon.awaitReady(Duration.ofSeconds(120)));
    Instant registered = Instant.now();
    // Due over 15 s rather than all at once: new work keeps arriving while earlier work is
    // checked, so executions are checked a few times each and replicas race on every due time.
    workload.register(database, ARRIVALS);
    Waits.until(
        "2,000 executions finished on " + replicas + " replicas, results stored",
        Duration.ofSeconds(240),
        Duration.ofSeconds(1),
        () -> workload.unfinished(database) == 0,
        () -> daemons.tails(25));
    Duration drained = Duration.between(registered, Instant.now());
    Map<String, Double> housekeepingMetric = new TreeMap<>();
    for (PackagedDaemon daemon : daemons) {
      housekeepingMetric.put(daemon.name(), daemon.metric("poller_housekeeping_runs_total"));
    }
    daemons.stopAll();

    List<ExecutionRecord> remote = amc.executions();
    ExecutionAudit audit = ExecutionAudit.of(database, workload, remote, amc, INTERVAL);
    assertThat(audit.problems())
        .as("%d replicas racing for 2,000 executions%s", replicas, daemons.tails(25))
        .isEmpty();
    for (int i = 1; i <= replicas; i++) {
      assertThat(audit.eventsByReplica())
          .as("every replica took part in the race")
          .containsKey("racer-" + i);
    }

    Map<String, List<String>> ticks = housekeepingTicks(daemons.all());
    List<String> startupRepeats = assertHousekeepingRanOncePerTick(ticks, daemons.all());
    System.out.printf(
        "RACE_IT replicas=%d drained=%ds %s events by replica %s%n"
            + "  housekeeping ticks per job %s, by replica %s, metric poller_housekeeping_runs_total"
            + " by replica %s, ticks run twice while a replica started %s%n",
        replicas,
        drained.toSeconds(),
        audit.checkStatistics(),
        new TreeMap<>(audit.eventsByReplica()),
        ticksPerJob(ticks),
        ticks.values().stream()
            .flatMap(List::stream)
            .collect(Collectors.groupingBy(name -> name, TreeMap::new, Collectors.counting())),
        housekeepingMetric,
        startupRepeats);
  }

  /** Replicas that ran each "job@scheduled fire time", from their DEBUG lines. */
  private static Map<String, List<String>> housekeepingTicks(List<PackagedDaemon> daemons) {
    Map<String, List<String>> ticks = new TreeMap<>();
    for (PackagedDaemon daemon : daemons) {
      for (String line : daemon.lines()) {
        Matcher run = HOUSEKEEPING_RUN.matcher(line);
        if (run.find()) {
          ticks
              .computeIfAbsent(run.group(1) + "@" + run.group(2), key -> new ArrayList<>())
              .add(daemon.name());
        }
      }
    }
    return ticks;
  }

  /**
   * Every tick of every job ran on exactly one replica, except while a replica starts: Quarkus then
   * reschedules each job from the trigger's next fire time as it reads it, and a tick that another
   * replica is firing at that moment can run once more (quarkusio/quarkus#21455 made the reschedule
   * keep the next fire time; the read can still be stale). The jobs are idempotent, so such a
   * repeat costs a run and nothing else; outside a start every tick runs once. Ticks of a job are a
   * period apart, and each job ran often enough for this to mean something. Returns the ticks that
   * ran twice at a start.
   */
  private static List<String> assertHousekeepingRanOncePerTick(
      Map<String, List<String>> ticks, List<PackagedDaemon> daemons) {
    List<String> startupRepeats = new ArrayList<>();
    ticks.forEach(
        (tick, ranOn) -> {
          Instant fireTime = Instant.parse(tick.substring(tick.indexOf('@') + 1));
          if (ranOn.size() == 2 && duringAStart(fireTime, daemons)) {
            startupRepeats.add(tick + " " + ranOn);
          } else {
            assertThat(ranOn)
                .as("housekeeping tick %s ran on exactly one replica", tick)
                .hasSize(1);
          }
        });
    for (String job : HOUSEKEEPING_JOBS) {
      List<Instant> fireTimes =
          ticks.keySet().stream()
              .filter(tick -> tick.startsWith(job + "@"))
              .map(tick -> Instant.parse(tick.substring(job.length() + 1)))
              .sorted()
              .toList();
      assertThat(fireTimes).as("ticks of %s", job).hasSizeGreaterThanOrEqualTo(5);
      for (int i = 1; i < fireTimes.size(); i++) {
        assertThat(Duration.between(fireTimes.get(i - 1), fireTimes.get(i)))
            .as(
                "%s ticks %s and %s: one schedule, one period apart",
                job, fireTimes.get(i - 1), fireTimes.get(i))
            .isGreaterThanOrEqualTo(HOUSEKEEPING_EVERY.minusMillis(100));
      }
    }
    return startupRepeats;
  }

  /** Whether a tick was due while some replica was starting (a period either side). */
  private static boolean duringAStart(Instant fireTime, List<PackagedDaemon> daemons) {
    return daemons.stream()
        .anyMatch(
            daemon ->
                !fireTime.isBefore(daemon.startedAt().minus(HOUSEKEEPING_EVERY))
                    && !fireTime.isAfter(daemon.readyAt().plus(HOUSEKEEPING_EVERY)));
  }

  private static Map<String, Long> ticksPerJob(Map<String, List<String>> ticks) {
    return ticks.keySet().stream()
        .collect(
            Collectors.groupingBy(
                tick -> tick.substring(0, tick.indexOf('@')), TreeMap::new, Collectors.counting()));
  }
}
