package io.executionpoller.housekeeping;

import static org.assertj.core.api.Assertions.assertThat;

import io.executionpoller.db.FromBlockingThread;
import io.executionpoller.execution.RuntimeLimit;
import io.executionpoller.poll.TimeoutConfig;
import io.executionpoller.support.ExecutionRows;
import io.executionpoller.support.Fixtures;
import io.executionpoller.support.PostgresResource;
import io.executionpoller.support.TestClock;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.quartz.Scheduler;
import org.quartz.SimpleTrigger;

/**
 * The housekeeping jobs' work, called directly, and their place on clustered Quartz: persistent
 * triggers in the JDBC store (so one replica fires each tick) that reschedule instead of
 * burst-firing after a pause.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class HousekeepingTest {

  @Inject Housekeeping housekeeping;
  @Inject HousekeepingStore store;
  @Inject Fixtures fixtures;
  @Inject TestClock clock;
  @Inject ExecutionRows rows;
  @Inject Scheduler quartz;
  @Inject TimeoutConfig timeout;
  @Inject HousekeepingConfig config;

  private UUID workflow;

  @BeforeEach
  void clean() {
    fixtures.reset();
    workflow = fixtures.savedWorkflow("wf_housekeeping");
  }

  @Test
  void shouldRunOnClusteredQuartzWithTriggersThatDoNotBurstFire() throws Exception {
    assertThat(quartz.getMetaData().isJobStoreClustered()).isTrue();
    assertThat(quartz.getMetaData().isJobStoreSupportsPersistence()).isTrue();
    assertThat(
            fixtures.query("SELECT trigger_name, misfire_instr FROM qrtz_triggers").stream()
                .filter(row -> ((String) row.get("trigger_name")).startsWith("housekeeping-"))
                .map(row -> row.get("trigger_name") + ":" + row.get("misfire_instr")))
        .containsExactlyInAnyOrder(
            "housekeeping-lease-reaper:"
                + SimpleTrigger.MISFIRE_INSTRUCTION_RESCHEDULE_NEXT_WITH_REMAINING_COUNT,
            "housekeeping-stuck-scan:"
                + SimpleTrigger.MISFIRE_INSTRUCTION_RESCHEDULE_NEXT_WITH_REMAINING_COUNT,
            "housekeeping-timeout-sweep:"
                + SimpleTrigger.MISFIRE_INSTRUCTION_RESCHEDULE_NEXT_WITH_REMAINING_COUNT,
            "housekeeping-retention:"
                + SimpleTrigger.MISFIRE_INSTRUCTION_RESCHEDULE_NEXT_WITH_REMAINING_COUNT,
            "housekeeping-idempotency-keys:"
                + SimpleTrigger.MISFIRE_INSTRUCTION_RESCHEDULE_NEXT_WITH_REMAINING_COUNT,
            "housekeeping-orphan-cancels:"
                + SimpleTrigger.MISFIRE_INSTRUCTION_RESCHEDULE_NEXT_WITH_REMAINING_COUNT);
  }

  @Test
  void shouldTimeOutUncheckedExecutionsPastTheirLimitByTheSameRuleAsTheLoop() throws Exception {
    // Default limit 6 h (no workflow limit, AMC's timeout unknown).
    UUID pastDefault = execution("status = 'RUNNING', started_at = %s", rows.ago(7 * 60));
    UUID withinDefault = execution("status = 'RUNNING', started_at = %s", rows.ago(5 * 60));
    UUID leased =
        execution(
            "status = 'RUNNING', started_at = %s, lease_owner = 'alive', lease_expires_at = %s",
            rows.ago(7 * 60), dbAgo(-1));
    // AMC's 6 h timeout plus the 15 min margin.
    UUID withinRemote =
        execution(
            "status = 'RUNNING', remote_timeout_seconds = 21600, started_at = %s",
            rows.ago(6 * 60 + 10));
    UUID pastRemote =
        execution(
            "status = 'RUNNING', remote_timeout_seconds = 21600, started_at = %s",
            rows.ago(6 * 60 + 20));
    // The workflow's own 10 min limit wins.
    workflow = fixtures.savedWorkflowWithLimits("wf_short", 600, 300);
    UUID pastWorkflow = execution("status = 'RUNNING', started_at = %s", rows.ago(11));

    int timedOut = housekeeping.sweepTimeoutsNow();

    assertThat(timedOut).isEqualTo(3);
    for (UUID execution : java.util.List.of(pastDefault, pastRemote, pastWorkflow)) {
      assertThat(fixtures.status(execution)).isEqualTo("TIMEOUT");
      assertThat(fixtures.execution(execution).get("error_type")).isEqualTo("TIMEOUT_ERROR");
      assertThat(fixtures.events(execution)).endsWith("TRANSITION RUNNING->TIMEOUT");
    }
    for (UUID execution : java.util.List.of(withinDefault, leased, withinRemote)) {
      assertThat(fixtures.status(execution)).isEqualTo("RUNNING");
    }
    assertThat(housekeeping.sweepTimeoutsNow()).as("each once").isZero();
  }

  /**
   * The sweep decides with RuntimeLimit, the loop's rule; rows one second either side of each kind
   * of limit plus the grace, fed through the sweep's whole path (candidate query, decision, guarded
   * write), end exactly as RuntimeLimit says. The sweep acts a lease grace after the limit, so the
   * loop, which checks every interval, gets there first whenever it reaches the row at all.
   */
  @Test
  void shouldTimeOutExactlyTheRowsRuntimeLimitSaysArePastTheirLimitByTheGrace() throws Exception {
    RuntimeLimit.Defaults defaults =
        new RuntimeLimit.Defaults(
            timeout.defaultMaxRuntime(), timeout.remoteTimeoutMargin(), timeout.warningFraction());
    Duration grace = config.leaseGrace();
    UUID unlimited = workflow;
    UUID limited = fixtures.savedWorkflowWithLimits("wf_limited", 600, 300);
    Integer[][] cases = {
      {600, null}, {600, 21600}, {null, 21600}, {null, 900}, {null, null}, {null, 86400}
    };
    Instant now = clock.instant();
    Map<UUID, Boolean> expected = new HashMap<>();
    for (Integer[] limits : cases) {
      RuntimeLimit limit = RuntimeLimit.of(limits[0], null, limits[1], defaults);
      for (long offset : new long[] {-1, 0, 1}) {
        Duration ran = limit.max().plus(grace).plusSeconds(offset);
        workflow = limits[0] == null ? unlimited : limited;
        UUID row =
            execution(
                "status = 'RUNNING', started_at = %s, remote_timeout_seconds = %s",
                "'" + now.minus(ran) + "'::timestamptz", String.valueOf(limits[1]));
        expected.put(row, ran.minus(grace).compareTo(limit.max()) >= 0);
      }
    }

    housekeeping.sweepTimeoutsNow();

    Map<UUID, Boolean> swept = new HashMap<>();
    expected.keySet().forEach(row -> swept.put(row, "TIMEOUT".equals(fixtures.status(row))));
    assertThat(swept).isEqualTo(expected);
  }

  /**
   * The sweep decides on what it read; a row that moved on before the write (a check wrote it, so
   * its version changed) is left alone, however far past its limit it looked.
   */
  @Test
  void shouldLeaveARowThatMovedOnSinceTheSweepReadIt() {
    UUID moved = execution("status = 'RUNNING', started_at = %s", rows.ago(7 * 60));
    UUID unchanged = execution("status = 'RUNNING', started_at = %s", rows.ago(7 * 60));
    Instant now = clock.instant();
    Duration grace = config.leaseGrace();
    List<HousekeepingStore.SweepCandidate> read =
        FromBlockingThread.inSession(() -> store.sweepCandidates(now, grace, Integer.MAX_VALUE));
    assertThat(read).extracting(HousekeepingStore.SweepCandidate::id).contains(moved, unchanged);

    fixtures.update(
        "UPDATE workflow_executions SET version = version + 1 WHERE id = '" + moved + "'");
    List<HousekeepingStore.TimedOut> timedOut =
        FromBlockingThread.inTransaction(() -> store.timeOut(read, now, grace, "replica-test"));

    assertThat(timedOut).extracting(HousekeepingStore.TimedOut::id).containsExactly(unchanged);
    assertThat(fixtures.status(moved)).isEqualTo("RUNNING");
    assertThat(fixtures.status(unchanged)).isEqualTo("TIMEOUT");
    assertThat(fixtures.events(moved)).doesNotContain("TRANSITION RUNNING->TIMEOUT");
  }

  /** A tick reads a bounded number of candidates, the longest-running first, however many run. */
  @Test
  void shouldReadAtMostTheBoundOfCandidatesOldestFirst() {
    UUID oldest = execution("status = 'RUNNING', started_at = %s", rows.ago(9 * 60));
    UUID older = execution("status = 'RUNNING', started_at = %s", rows.ago(8 * 60));
    UUID newest = execution("status = 'RUNNING', started_at = %s", rows.ago(7 * 60));
    Instant now = clock.instant();

    List<HousekeepingStore.SweepCandidate> read =
        FromBlockingThread.inSession(() -> store.sweepCandidates(now, config.leaseGrace(), 2));

    assertThat(read)
        .extracting(HousekeepingStore.SweepCandidate::id)
        .containsExactly(oldest, older)
        .doesNotContain(newest);
  }

  @Test
  void shouldReapExpiredLeasesOnlyAndGiveADeadReplicasDownloadBackStillCounted() throws Exception {
    UUID expired = execution("lease_owner = 'dead', lease_expires_at = %s", dbAgo(5));
    UUID live = execution("lease_owner = 'alive', lease_expires_at = %s", dbAgo(-1));
    UUID deadDownload = execution("status = 'SUCCESS'");
    result(deadDownload, "DOWNLOADING", "lease_owner = 'dead', lease_expires_at = " + dbAgo(5));
    UUID liveDownload = execution("status = 'SUCCESS'");
    result(liveDownload, "DOWNLOADING", "lease_owner = 'alive', lease_expires_at = " + dbAgo(-1));

    int[] released = housekeeping.reapLeasesNow();

    assertThat(released).containsExactly(1, 1);
    assertThat(fixtures.execution(expired).get("lease_owner")).isNull();
    assertThat(fixtures.execution(live).get("lease_owner")).isEqualTo("alive");
    assertThat(resultColumn(deadDownload, "status")).isEqualTo("PENDING");
    assertThat(resultColumn(deadDownload, "attempts")).as("attempts only grow").isEqualTo(2);
    assertThat(resultColumn(liveDownload, "status")).isEqualTo("DOWNLOADING");
    assertThat(housekeeping.reapLeasesNow()).containsExactly(0, 0);
  }

  @Test
  void shouldDeleteOldEventsOfFinishedExecutionsOnlyAndKeepResultsByDefault() throws Exception {
    UUID finished = execution("status = 'FAILED'");
    UUID active = execution("status = 'RUNNING'");
    UUID stored = execution("status = 'SUCCESS'");
    result(stored, "STORED", "stored_at = " + rows.ago(60 * 24 * 400));
    fixtures.update("UPDATE execution_events SET occurred_at = " + rows.ago(60 * 24 * 100));
    fixtures.update(
        "INSERT INTO execution_events (execution_id, occurred_at, type, attempt) VALUES ('"
            + finished
            + "', "
            + rows.ago(1)
            + ", 'CHECK_FAILED', 0)");

    long[] deleted = housekeeping.retainNow();

    assertThat(deleted[0]).as("old events of the two finished executions").isEqualTo(2);
    assertThat(deleted[1]).as("results are kept unless results-retention is set").isZero();
    assertThat(fixtures.events(finished)).containsExactly("CHECK_FAILED");
    assertThat(fixtures.events(active)).containsExactly("REGISTERED null->PENDING");
    assertThat(fixtures.count("SELECT count(*) FROM execution_results")).isEqualTo(1);
  }

  @Test
  void shouldDeleteStoredResultsOlderThanTheirRetentionInBatches() throws Exception {
    for (int i = 0; i < 5; i++) {
      result(execution("status = 'SUCCESS'"), "STORED", "stored_at = " + rows.ago(60 * 24 * 40));
    }
    UUID recent = execution("status = 'SUCCESS'");
    result(recent, "STORED", "stored_at = " + rows.ago(60));
    UUID failed = execution("status = 'SUCCESS'");
    result(failed, "FAILED", "stored_at = NULL");

    long deleted = housekeeping.deleteResultsBefore(clock.instant().minus(Duration.ofDays(30)), 2);

    assertThat(deleted).isEqualTo(5);
    assertThat(fixtures.count("SELECT count(*) FROM execution_results")).isEqualTo(2);
  }

  @Test
  void shouldDeleteEndedDeliveriesAndFinishedSightingsPastTheirRetentionOnly() {
    UUID finished = execution("status = 'FAILED'");
    UUID active = execution("status = 'RUNNING'");
    UUID subscription = UUID.randomUUID();
    fixtures.update(
        "INSERT INTO webhook_subscriptions (id, url, event_types, enabled, secret, created_at,"
            + " updated_at) VALUES ('"
            + subscription
            + "', 'http://127.0.0.1/hook', ARRAY['execution.failed'], true, 'whsec_x', now(),"
            + " now())");
    long days40 = 60 * 24 * 40;
    delivery(subscription, finished, 1, "DELIVERED", "delivered_at = " + rows.ago(days40));
    delivery(subscription, finished, 2, "DEAD", "last_attempt_at = " + rows.ago(days40));
    delivery(subscription, finished, 3, "PENDING", "last_attempt_at = " + rows.ago(days40));
    delivery(subscription, finished, 4, "DELIVERED", "delivered_at = " + rows.ago(60 * 24 * 29));
    delivery(subscription, finished, 5, "DEAD", "last_attempt_at = " + rows.ago(60));
    fixtures.update(
        "INSERT INTO execution_stuck_sightings (execution_id, reason, first_seen_at) VALUES ('"
            + finished
            + "', 'OVERDUE', "
            + rows.ago(days40)
            + "), ('"
            + active
            + "', 'OVERDUE', "
            + rows.ago(days40)
            + "), ('"
            + finished
            + "', 'NEVER_CHECKED', "
            + rows.ago(60)
            + ")");

    long[] deleted = housekeeping.retainNow();

    assertThat(deleted[2]).as("deliveries that ended more than 30 days ago").isEqualTo(2);
    assertThat(deleted[3]).as("the finished execution's old sighting").isEqualTo(1);
    assertThat(
            fixtures.query("SELECT event_id FROM webhook_deliveries ORDER BY event_id").stream()
                .map(row -> ((Number) row.get("event_id")).longValue())
                .toList())
        .as("pending ones are never deleted, recent ones are kept")
        .containsExactly(3L, 4L, 5L);
    assertThat(fixtures.count("SELECT count(*) FROM execution_stuck_sightings"))
        .as("an active execution's sighting keeps its notification from repeating")
        .isEqualTo(2);

    clock.advance(Duration.ofDays(2));
    assertThat(housekeeping.retainNow()[2])
        .as("on the injected clock, the 29-day-old delivery is now past 30 days")
        .isEqualTo(1);
  }

  private void delivery(
      UUID subscription, UUID execution, long event, String status, String assignments) {
    Instant now = clock.instant();
    fixtures.update(
        "INSERT INTO webhook_deliveries (id, subscription_id, event_id, execution_id, event_type,"
            + " status, occurred_at, due_since, created_at, next_attempt_at) VALUES"
            + " (gen_random_uuid(), '"
            + subscription
            + "', "
            + event
            + ", '"
            + execution
            + "', 'execution.failed', '"
            + status
            + "', '"
            + now
            + "', '"
            + now
            + "', "
            + rows.ago(60 * 24 * 50)
            + ", '"
            + now
            + "')");
    fixtures.update("UPDATE webhook_deliveries SET " + assignments + " WHERE event_id = " + event);
  }

  private UUID execution(String assignments, String... times) {
    UUID execution = fixtures.submit(workflow);
    rows.set(execution, assignments, times);
    return execution;
  }

  private void result(UUID execution, String status, String assignments) {
    Instant now = clock.instant();
    fixtures.update(
        "INSERT INTO execution_results (execution_id, status, attempts, next_attempt_at,"
            + " created_at, updated_at) VALUES ('"
            + execution
            + "', '"
            + status
            + "', 2, '"
            + now
            + "', '"
            + now
            + "', '"
            + now
            + "')");
    fixtures.update(
        "UPDATE execution_results SET "
            + assignments
            + " WHERE execution_id = '"
            + execution
            + "'");
  }

  private Object resultColumn(UUID execution, String column) {
    return fixtures
        .query("SELECT " + column + " FROM execution_results WHERE execution_id = ?", execution)
        .get(0)
        .get(column);
  }

  /** Minutes before the database's now: leases expire on the database clock. */
  private static String dbAgo(long minutes) {
    return "now() - interval '" + minutes + " minutes'";
  }
}
