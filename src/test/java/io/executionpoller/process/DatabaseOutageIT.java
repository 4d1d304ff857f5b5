package io.executionpoller.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL stops for 60 s under a running daemon, then comes back. The daemon must stay up
 * (liveness UP throughout, readiness DOWN during the outage and UP again after it), say so in a few
 * lines rather than a flood (once, a summary a minute, once on recovery: {@code OutageLog}), and
 * carry on by itself with nothing lost: executions registered before the outage reach their
 * terminal status, results are stored, and nothing is done twice ({@link ExecutionAudit}).
 *
 * <p>It stops the machine's PostgreSQL, which every other user of it notices: it waits until nobody
 * else is connected (up to {@code process-it.pg-wait}, 10 min, then fails without stopping it). The
 * commands default to the Debian cluster 15/main and can be changed with the system properties
 * {@code process-it.pg-stop}, {@code process-it.pg-start} and {@code process-it.pg-ready}. The
 * server is always started again, by a finally block, an AfterAll and a shutdown hook.
 */
class DatabaseOutageIT {

  private static final Duration OUTAGE = Duration.ofSeconds(60);
  private static final Duration INTERVAL = Duration.ofSeconds(2);
  private static final Duration LEASE = Duration.ofSeconds(20);

  /** Kubernetes' default probe timeout is 1 s; give a loaded machine a little more. */
  private static final Duration LIVENESS_TIMEOUT = Duration.ofSeconds(3);

  private static final String STOP =
      System.getProperty(
          "process-it.pg-stop", "pg_ctlcluster --skip-systemctl-redirect 15 main stop -m fast");
  private static final String START =
      System.getProperty(
          "process-it.pg-start", "pg_ctlcluster --skip-systemctl-redirect 15 main start");
  private static final String READY =
      System.getProperty(
          "process-it.pg-ready",
          "pg_isready -h " + ScratchDatabase.HOST + " -p " + ScratchDatabase.PORT);

  private static final Thread RESTART_ON_EXIT = new Thread(DatabaseOutageIT::ensurePostgresRuns);

  /** Done before the outage: their results are stored while the database is up. */
  private static final Workload.Kind BEFORE =
      Workload.succeeds("outage_before", Duration.ofSeconds(1), Duration.ofSeconds(2), 20);

  /** AMC finishes these while the database is away; the daemon learns of it afterwards. */
  private static final Workload.Kind DURING =
      Workload.succeeds("outage_during", Duration.ofSeconds(1), Duration.ofSeconds(30), 50);

  private static final Workload.Kind FAILS_DURING =
      Workload.fails("outage_fails", Duration.ofSeconds(1), Duration.ofSeconds(35));
  private static final Workload.Kind CANCELLED_DURING =
      Workload.cancelled("outage_cancelled", Duration.ofSeconds(1), Duration.ofSeconds(40));

  /** Still running when the database returns: checked on as usual afterwards. */
  private static final Workload.Kind AFTER =
      Workload.succeeds("outage_after", Duration.ofSeconds(1), Duration.ofSeconds(80), 50);

  private record Probe(Instant at, int live, int ready) {}

  @AfterAll
  static void restorePostgres() {
    ensurePostgresRuns();
  }

  @Test
  void shouldStayUpLogBrieflyAndResumeAfterADatabaseOutage() throws Exception {
    Workload workload =
        new Workload("ENTITYOUTAGE")
            .add(BEFORE, 2, 4)
            .add(DURING, 2, 4)
            .add(FAILS_DURING, 2, 2)
            .add(CANCELLED_DURING, 2, 2)
            .add(AFTER, 2, 2);
    try (SimulatedAmc amc = SimulatedAmc.start("outage-amc");
        ScratchDatabase database = ScratchDatabase.create("outage")) {
      workload.script(amc);
      PackagedDaemon daemon =
          PackagedDaemon.start(
              "outage-daemon", DaemonSettings.replica(database, amc, "outage", INTERVAL, LEASE));
      try {
        daemon.awaitReady(Duration.ofSeconds(90));
        workload.register(database);
        Waits.until(
            "the executions of before the outage finished, the others RUNNING",
            Duration.ofSeconds(60),
            Duration.ofMillis(500),
            () ->
                database.count(
                        """
                        SELECT count(*) FROM workflow_executions e
                          JOIN workflows w ON w.id = e.workflow_id
                          LEFT JOIN execution_results r ON r.execution_id = e.id
                         WHERE (w.amc_workflow_id = ? AND r.status = 'STORED')
                            OR (w.amc_workflow_id <> ? AND e.status = 'RUNNING')
                        """,
                        BEFORE.workflowId(),
                        BEFORE.workflowId())
                    == workload.size(),
            () -> daemon.tail(40));
        waitForNoOtherUsers(List.of(database.name(), amc.databaseName()));
        outageAndRecovery(workload, amc, database, daemon);
      } finally {
        ensurePostgresRuns();
        daemon.stop();
      }
    }
  }

  private void outageAndRecovery(
      Workload workload, SimulatedAmc amc, ScratchDatabase database, PackagedDaemon daemon)
      throws Exception {
    int linesBefore = daemon.lines().size();
    List<Probe> during = new ArrayList<>();
    Runtime.getRuntime().addShutdownHook(RESTART_ON_EXIT);
    Instant stopped = Instant.now();
    assertThat(run(STOP)).as("stopping PostgreSQL: %s", STOP).isZero();
    Instant restarted;
    try {
      while (Instant.now().isBefore(stopped.plus(OUTAGE))) {
        during.add(probe(daemon));
        TimeUnit.SECONDS.sleep(2); // the probe period, as a kubelet's; not a synchronisation
      }
    } finally {
      restarted = Instant.now();
      ensurePostgresRuns();
      Runtime.getRuntime().removeShutdownHook(RESTART_ON_EXIT);
    }
    Instant databaseBack = Instant.now();
    Instant readyAgain = daemon.awaitReady(Duration.ofSeconds(60));
    Waits.until(
        "every execution registered before the outage finished, results stored",
        Duration.ofSeconds(150),
        Duration.ofSeconds(1),
        () -> workload.unfinished(database) == 0,
        () -> daemon.tail(60));
    Probe after = probe(daemon);
    int pidAlive = daemon.isAlive() ? 1 : 0;

    String context = "probes " + during + daemon.tail(60);
    assertThat(pidAlive).as("the daemon process lived through the outage").isEqualTo(1);
    assertThat(during)
        .as("liveness UP within %s on every probe of the outage: %s", LIVENESS_TIMEOUT, context)
        .allMatch(probe -> probe.live() == 200);
    List<Probe> notReady =
        during.stream().dropWhile(probe -> probe.ready() == 200).collect(Collectors.toList());
    assertThat(notReady).as("readiness went DOWN: %s", context).isNotEmpty();
    assertThat(Duration.between(stopped, notReady.get(0).at()))
        .as("readiness DOWN soon after the stop")
        .isLessThan(Duration.ofSeconds(15));
    assertThat(notReady)
        .as("readiness stayed DOWN until the database came back: %s", context)
        .allMatch(probe -> probe.ready() != 200);
    assertThat(after.live()).isEqualTo(200);
    assertThat(after.ready()).isEqualTo(200);

    ExecutionAudit audit = ExecutionAudit.of(database, workload, amc.executions(), amc, INTERVAL);
    assertThat(audit.problems()).as("after a database outage%s", daemon.tail(60)).isEmpty();

    List<String> outageLines = daemon.lines().subList(linesBefore, daemon.lines().size());
    Map<String, Long> said = countPhrases(outageLines);
    assertThat(said)
        .as("what the outage logged, once, a minute later, and on recovery: %s", said)
        .containsEntry("claiming due executions failed", 1L)
        .containsEntry("claiming recovered after", 1L)
        .containsEntry("claiming result downloads failed", 1L)
        .containsEntry("claiming result downloads recovered", 1L);
    assertThat(said.get("claiming still failing since"))
        .as("summaries of the poll claims, one a minute")
        .isLessThanOrEqualTo(2L);
    assertThat(said.get("claiming result downloads still failing"))
        .as("summaries of the download claims, one a minute")
        .isLessThanOrEqualTo(2L);
    List<String> ours =
        outageLines.stream()
            .filter(line -> line.contains(" ERROR ") || line.contains(" WARN "))
            .filter(line -> line.contains("[io.executionpoller."))
            .toList();
    assertThat(ours)
        .as("the daemon's own warnings and errors about the outage: a few lines, not one per tick")
        .hasSizeLessThanOrEqualTo(8);
    long logged = outageLines.stream().filter(line -> line.startsWith("20")).count();
    long problems =
        outageLines.stream()
            .filter(line -> line.contains(" ERROR ") || line.contains(" WARN "))
            .count();
    long upstreamNoise =
        outageLines.stream().filter(line -> line.contains("Result is already complete")).count();
    System.out.printf(
        "OUTAGE_IT outage=%ds readinessDownAfter=%dms readyAgainAfterRestart=%dms"
            + " logEntries=%d (WARN/ERROR %d, ours %d, vertx-sql-client#1706 noise %d;"
            + " lines with stack traces %d) said=%s%n  %s%n",
        Duration.between(stopped, restarted).toSeconds(),
        Duration.between(stopped, notReady.get(0).at()).toMillis(),
        Duration.between(databaseBack, readyAgain).toMillis(),
        logged,
        problems,
        ours.size(),
        upstreamNoise,
        outageLines.size(),
        said,
        audit.checkStatistics());
  }

  /**
   * Stopping the server breaks every other user of it (on a shared machine: other people's test
   * runs). Wait while anyone else is connected, up to {@code process-it.pg-wait} (10 min); then
   * fail without stopping it, naming who is connected.
   */
  private static void waitForNoOtherUsers(List<String> ours) {
    Duration patience = Duration.parse(System.getProperty("process-it.pg-wait", "PT10M"));
    Waits.until(
        "nobody else connected to PostgreSQL, so that stopping it breaks nothing else",
        patience,
        Duration.ofSeconds(5),
        () -> ScratchDatabase.otherUsers(ours).isEmpty(),
        () -> "connected: " + ScratchDatabase.otherUsers(ours) + " (not stopped)");
  }

  private static Map<String, Long> countPhrases(List<String> lines) {
    List<String> phrases =
        List.of(
            "claiming due executions failed",
            "claiming still failing since",
            "claiming recovered after",
            "claiming result downloads failed",
            "claiming result downloads still failing",
            "claiming result downloads recovered");
    Map<String, Long> counts = new LinkedHashMap<>();
    for (String phrase : phrases) {
      counts.put(phrase, lines.stream().filter(line -> line.contains(phrase)).count());
    }
    return counts;
  }

  private static Probe probe(PackagedDaemon daemon) {
    Instant at = Instant.now();
    int live = daemon.managementStatus("/q/health/live", LIVENESS_TIMEOUT);
    int ready = daemon.managementStatus("/q/health/ready", Duration.ofSeconds(10));
    return new Probe(at, live, ready);
  }

  /** Starts PostgreSQL unless it answers, and waits until it does. */
  private static void ensurePostgresRuns() {
    try {
      if (run(READY) != 0) {
        run(START);
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (run(READY) != 0) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("PostgreSQL did not come back: " + READY);
        }
        TimeUnit.MILLISECONDS.sleep(250);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static int run(String command) {
    try {
      Process process =
          new ProcessBuilder("sh", "-c", command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(command + " did not finish");
      }
      return process.exitValue();
    } catch (IOException e) {
      throw new IllegalStateException(command + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
