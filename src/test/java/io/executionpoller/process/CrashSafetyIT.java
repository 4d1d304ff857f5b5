package io.executionpoller.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.executionpoller.crashpoint.CrashPoint;
import io.executionpoller.crashpoint.CrashPoints;
import io.executionpoller.simulator.AmcSimulator.ExecutionRecord;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Crash safety, the way Dagster tests its daemon: the packaged daemon runs as a child process and
 * is killed with SIGKILL at a named point ({@link CrashPoint}: it prints a marker there and
 * freezes, and this test kills it on seeing the marker). A second process on the same database then
 * finishes the work. Nothing may be lost or done twice: every execution reaches the terminal status
 * its script intends, with one chain of transitions, one remote execution, one stored result that
 * matches AMC's file (see {@link ExecutionAudit}); and what the dead process held is taken over
 * once its lease expires, not before, and not much later.
 */
class CrashSafetyIT {

  private static final Duration INTERVAL = Duration.ofSeconds(1);
  private static final Duration LEASE = Duration.ofSeconds(8);

  /** Claims wait for the next tick (1 s) and the next download tick; a loaded machine is slow. */
  private static final Duration RECLAIM_TOLERANCE = Duration.ofSeconds(5);

  private static final Pattern MARKER =
      Pattern.compile(CrashPoints.MARKER + " (\\S+) execution=(\\S+)");

  private static final Workload.Kind SMALL =
      Workload.succeeds("crash_small", Duration.ofSeconds(1), Duration.ofSeconds(2), 5);

  /** Big enough that the download flushes rows into its COPY long before the file ends. */
  private static final Workload.Kind BIG =
      Workload.succeeds("crash_big", Duration.ofSeconds(1), Duration.ofSeconds(2), 60_000);

  private static final Workload.Kind FAILS =
      Workload.fails("crash_fails", Duration.ofSeconds(1), Duration.ofSeconds(1));
  private static final Workload.Kind CANCELLED =
      Workload.cancelled("crash_cancelled", Duration.ofSeconds(1), Duration.ofSeconds(2));

  @RegisterExtension static final AmcPerClass AMC = new AmcPerClass("crash-amc");

  @ParameterizedTest(name = "killed {0}")
  // The webhook point has a scenario of its own (WebhookCrashIT): this workload has no
  // subscription.
  @EnumSource(
      value = CrashPoint.class,
      names = "AFTER_WEBHOOK_SENT",
      mode = EnumSource.Mode.EXCLUDE)
  void shouldLoseNothingAndRepeatNothingWhenKilled(CrashPoint point) {
    Workload workload =
        new Workload("ENTITYCRASH" + point.ordinal())
            .add(SMALL, 2, 3)
            .add(BIG, 1, 2)
            .add(FAILS, 2, 1)
            .add(CANCELLED, 2, 1);
    workload.script(AMC.get());
    String dead = "crashing-" + point;
    try (ScratchDatabase database = ScratchDatabase.create("crash_" + point);
        Daemons daemons = new Daemons()) {
      runCrashScenario(point, workload, dead, database, daemons);
    }
  }

  private void runCrashScenario(
      CrashPoint point, Workload workload, String dead, ScratchDatabase database, Daemons daemons) {
    SimulatedAmc amc = AMC.get();
    Map<String, String> crashing = DaemonSettings.replica(database, amc, dead, INTERVAL, LEASE);
    crashing.put("POLLER_CRASH_POINT", point.name());
    PackagedDaemon first = daemons.start("crash-" + point + "-1", crashing);
    first.awaitReady(Duration.ofSeconds(90));
    workload.register(database);

    Matcher marker = first.awaitLine(MARKER, Duration.ofSeconds(60));
    Instant killedAt = first.kill();
    assertThat(marker.group(1)).isEqualTo(point.name());
    UUID crashed = UUID.fromString(marker.group(2));
    database.awaitSessionsClosedOf(first);
    Map<UUID, Instant> executionLeases =
        leases(database, "SELECT id, lease_expires_at FROM workflow_executions", dead);
    Map<UUID, Instant> resultLeases =
        leases(database, "SELECT execution_id, lease_expires_at FROM execution_results", dead);
    assertStateAtTheKill(point, database, crashed, executionLeases, resultLeases);

    // Calls the dead process had sent before the kill can still reach AMC after it (the loop
    // claims on without pause, so some are in flight at any moment); a call AMC sees after the
    // second process was launched can only be the second process's.
    Instant secondLaunched = Instant.now();
    PackagedDaemon second =
        daemons.start(
            "crash-" + point + "-2",
            DaemonSettings.replica(database, amc, "restarted-" + point, INTERVAL, LEASE));
    Instant secondReady = second.awaitReady(Duration.ofSeconds(90));
    Waits.until(
        "every execution of the crash test finished, results stored",
        Duration.ofSeconds(120),
        Duration.ofMillis(500),
        () -> workload.unfinished(database) == 0,
        () -> first.tail(30) + second.tail(60));

    List<ExecutionRecord> remote = amc.executions();
    ExecutionAudit audit = ExecutionAudit.of(database, workload, remote, amc, INTERVAL);
    assertThat(audit.problems())
        .as("after a SIGKILL %s and a restart%s", point, first.tail(30) + second.tail(60))
        .isEmpty();
    assertThat(audit.eventsByReplica()).containsKey("restarted-" + point);

    Map<UUID, String> remoteIds = remoteIds(database);
    List<String> figures = new ArrayList<>();
    executionLeases.forEach(
        (id, expiry) ->
            figures.add(
                checkReclaim(
                    "execution " + id,
                    expiry,
                    firstAfter(audit.callsByExecution().get(id), secondLaunched),
                    killedAt,
                    secondReady)));
    resultLeases.forEach(
        (id, expiry) ->
            figures.add(
                checkReclaim(
                    "result of " + id,
                    expiry,
                    firstAfter(downloadUrlCalls(remote, remoteIds.get(id)), secondLaunched),
                    killedAt,
                    secondReady)));
    System.out.printf(
        "CRASH_IT point=%s crashed=%s leasesHeld=%d+%d restartedReadyAfter=%dms %s%n  %s%n",
        point,
        crashed,
        executionLeases.size(),
        resultLeases.size(),
        Duration.between(killedAt, secondReady).toMillis(),
        audit.checkStatistics(),
        String.join("\n  ", figures));
  }

  /**
   * What the database shows right after the kill: the step before the point was durable, the one
   * after it never happened, and nothing half-written is visible.
   */
  private static void assertStateAtTheKill(
      CrashPoint point,
      ScratchDatabase database,
      UUID crashed,
      Map<UUID, Instant> executionLeases,
      Map<UUID, Instant> resultLeases) {
    long transitions =
        database.count(
            "SELECT count(*) FROM execution_events WHERE execution_id = ? AND type = 'TRANSITION'",
            crashed);
    switch (point) {
      case AFTER_CLAIM, AFTER_REMOTE_STATUS ->
          assertThat(executionLeases)
              .as("the execution frozen at %s is still leased to the dead process", point)
              .containsKey(crashed);
      case AFTER_TRANSITION_WRITE -> {
        assertThat(transitions).as("the transition written before the kill").isPositive();
        assertThat(executionLeases)
            .as("a written transition hands its lease back in the same statement")
            .doesNotContainKey(crashed);
      }
      case MID_RESULT_DOWNLOAD, BEFORE_RESULT_COMMIT -> {
        assertThat(resultLeases)
            .as("the download frozen at %s is still leased to the dead process", point)
            .containsKey(crashed);
        assertThat(
                database.count(
                    """
                    SELECT (SELECT count(*) FROM execution_events
                             WHERE execution_id = ? AND type = 'RESULT_STORED')
                         + (SELECT count(*) FROM execution_results
                             WHERE execution_id = ? AND status = 'STORED')
                    """,
                    crashed,
                    crashed))
            // Rows it staged may be committed; readers see STORED results only, and the next
            // attempt deletes them first (the audit checks the stored files whole and once).
            .as("nothing of the result the dead process was writing is STORED")
            .isZero();
      }
    }
    if (point != CrashPoint.AFTER_TRANSITION_WRITE) {
      assertThat(executionLeases.size() + resultLeases.size()).isPositive();
    }
  }

  /**
   * A lease of the dead process is taken over once it expires: the first AMC call for it from the
   * restarted process comes no earlier than the expiry, and no later than a tick or two after the
   * expiry, or after the restarted process was up when that took longer.
   */
  private static String checkReclaim(
      String what, Instant expiry, Instant reclaimed, Instant killedAt, Instant secondReady) {
    assertThat(reclaimed).as("%s, leased by the dead process, taken over", what).isNotNull();
    assertThat(reclaimed)
        .as("%s taken over no earlier than its lease expiry %s", what, expiry)
        .isAfterOrEqualTo(expiry.minusMillis(10));
    Instant latest = (expiry.isAfter(secondReady) ? expiry : secondReady).plus(RECLAIM_TOLERANCE);
    assertThat(reclaimed)
        .as("%s taken over within the lease (%s) after the kill", what, LEASE)
        .isBeforeOrEqualTo(latest);
    return String.format(
        "%s: lease expired %d ms after the kill, taken over %d ms after the kill (%d ms after"
            + " expiry)",
        what,
        Duration.between(killedAt, expiry).toMillis(),
        Duration.between(killedAt, reclaimed).toMillis(),
        Duration.between(expiry, reclaimed).toMillis());
  }

  private static Map<UUID, Instant> leases(ScratchDatabase database, String select, String owner) {
    Map<UUID, Instant> leases = new HashMap<>();
    for (Map<String, Object> row : database.query(select + " WHERE lease_owner = ?", owner)) {
      var values = row.values().iterator();
      UUID id = (UUID) values.next();
      leases.put(id, instant(values.next()));
    }
    return leases;
  }

  private static Map<UUID, String> remoteIds(ScratchDatabase database) {
    Map<UUID, String> ids = new HashMap<>();
    database
        .query("SELECT id, amc_execution_id FROM workflow_executions")
        .forEach(row -> ids.put((UUID) row.get("id"), (String) row.get("amc_execution_id")));
    return ids;
  }

  private static List<Instant> downloadUrlCalls(List<ExecutionRecord> remote, String remoteId) {
    return remote.stream()
        .filter(record -> record.id().equals(remoteId))
        .findFirst()
        .map(ExecutionRecord::downloadUrlCalls)
        .orElse(List.of());
  }

  private static Instant firstAfter(List<Instant> times, Instant after) {
    return times == null
        ? null
        : times.stream().filter(time -> time.isAfter(after)).sorted().findFirst().orElse(null);
  }

  private static Instant instant(Object value) {
    if (value instanceof Timestamp timestamp) {
      return timestamp.toInstant();
    }
    return ((OffsetDateTime) value).toInstant();
  }
}
