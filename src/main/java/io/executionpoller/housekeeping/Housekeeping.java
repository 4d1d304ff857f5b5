package io.executionpoller.housekeeping;

import io.executionpoller.config.SwitchedOff;
import io.executionpoller.db.FromBlockingThread;
import io.executionpoller.execution.ExecutionStatus;
import io.executionpoller.execution.RemoteStatusMapping;
import io.executionpoller.execution.RuntimeLimit;
import io.executionpoller.failure.ErrorType;
import io.executionpoller.logging.ExecutionIds;
import io.executionpoller.logging.LifecycleRecorder;
import io.executionpoller.poll.TimeoutConfig;
import io.executionpoller.remote.AmcClient;
import io.executionpoller.replica.ReplicaIdentity;
import io.executionpoller.stuck.StuckDetector;
import io.executionpoller.stuck.StuckReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.ScheduledExecution;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Housekeeping that must run once per tick across the cluster, so it runs on Quartz with the
 * clustered JDBC store (one replica fires each trigger). The misfire policy in
 * application.properties reschedules a missed tick instead of firing the backlog after a pause.
 * Polling itself runs on every replica, on the in-memory scheduler (ADR 0002).
 *
 * <p>The jobs run on Quartz's worker threads, which may block; each step enters the reactive entity
 * world through {@link FromBlockingThread} in a transaction of its own, the way a blocking thread
 * must (never on an event loop).
 */
@Singleton
public class Housekeeping {

  private static final Logger LOG = Logger.getLogger(Housekeeping.class);

  /** Orphaned runs tried per tick: the rest wait for the next tick, so one tick stays short. */
  private static final int ORPHAN_BATCH = 20;

  /** Bound of one remote call of an orphan's try, beyond the client's own request timeout. */
  private static final Duration ORPHAN_TRY_DEADLINE = Duration.ofMinutes(2);

  /** First wait after a failed try; doubled per try up to the cap. */
  private static final Duration ORPHAN_BACKOFF = Duration.ofMinutes(1);

  private static final Duration ORPHAN_BACKOFF_CAP = Duration.ofHours(1);

  /** Timeouts per sweep: the rest wait for the next tick, so one tick stays short. */
  private static final int SWEEP_BATCH = 1000;

  private final HousekeepingStore store;
  private final HousekeepingConfig config;
  private final StuckDetector stuck;
  private final TimeoutConfig timeout;
  private final Clock clock;
  private final MeterRegistry registry;
  private final LifecycleRecorder lifecycle;
  private final ReplicaIdentity replica;
  private final AmcClient amc;

  Housekeeping(
      HousekeepingStore store,
      HousekeepingConfig config,
      StuckDetector stuck,
      TimeoutConfig timeout,
      Clock clock,
      MeterRegistry registry,
      LifecycleRecorder lifecycle,
      ReplicaIdentity replica,
      AmcClient amc) {
    this.amc = amc;
    this.lifecycle = lifecycle;
    this.replica = replica;
    this.timeout = timeout;
    this.store = store;
    this.config = config;
    this.stuck = stuck;
    this.clock = clock;
    this.registry = registry;
  }

  @Scheduled(
      identity = "housekeeping-lease-reaper",
      every = "${poller.housekeeping.lease-reaper-every}",
      executeWith = Scheduled.QUARTZ,
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
      skipExecutionIf = HousekeepingDisabled.class)
  void reapLeases(ScheduledExecution tick) {
    run("lease-reaper", tick, this::reapLeasesNow);
  }

  @Scheduled(
      identity = "housekeeping-timeout-sweep",
      every = "${poller.housekeeping.timeout-sweep-every}",
      executeWith = Scheduled.QUARTZ,
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
      skipExecutionIf = HousekeepingDisabled.class)
  void sweepTimeouts(ScheduledExecution tick) {
    run("timeout-sweep", tick, this::sweepTimeoutsNow);
  }

  @Scheduled(
      identity = "housekeeping-stuck-scan",
      every = "${poller.housekeeping.stuck-scan-every}",
      executeWith = Scheduled.QUARTZ,
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
      skipExecutionIf = HousekeepingDisabled.class)
  void scanStuck(ScheduledExecution tick) {
    run("stuck-scan", tick, this::scanStuckNow);
  }

  @Scheduled(
      identity = "housekeeping-retention",
      every = "${poller.housekeeping.retention-every}",
      executeWith = Scheduled.QUARTZ,
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
      skipExecutionIf = HousekeepingDisabled.class)
  void retain(ScheduledExecution tick) {
    run("retention", tick, this::retainNow);
  }

  /** Clears expired leases; a dead replica's downloads go back to PENDING at once. */
  public int[] reapLeasesNow() {
    Instant now = clock.instant();
    int[] released =
        FromBlockingThread.inTransaction(() -> store.reapLeases(config.leaseGrace(), now));
    if (released[0] + released[1] > 0) {
      LOG.infof(
          "LEASES_REAPED executions=%d downloads=%d (their replicas stopped renewing)",
          released[0], released[1]);
    }
    return released;
  }

  /**
   * Times out RUNNING executions that no check reaches (checks deferred or failing, or no replica
   * polling): past their runtime limit by the lease grace, and held by no lease. The loop times out
   * the ones it checks, and within the grace it gets there first, so the sweep never overrides it
   * (an execution AMC finished before its limit ends as AMC says). It does not cancel them
   * remotely: that needs the remote call the loop makes (timeout.cancel-remote).
   */
  public int sweepTimeoutsNow() {
    Instant now = clock.instant();
    RuntimeLimit.Defaults defaults =
        new RuntimeLimit.Defaults(
            timeout.defaultMaxRuntime(), timeout.remoteTimeoutMargin(), timeout.warningFraction());
    List<HousekeepingStore.TimedOut> timedOut =
        FromBlockingThread.inTransaction(
            () ->
                store.sweepTimeouts(now, defaults, config.leaseGrace(), SWEEP_BATCH, replica.id()));
    timedOut.forEach(this::recordTimeout);
    return timedOut.size();
  }

  /** The same line and metrics as a timeout found by the loop, so one query finds both. */
  private void recordTimeout(HousekeepingStore.TimedOut execution) {
    lifecycle.transitionWritten(
        new ExecutionIds(
            execution.id(),
            execution.amcExecutionId(),
            execution.workflowId(),
            execution.instanceId()),
        ExecutionStatus.RUNNING,
        ExecutionStatus.TIMEOUT,
        HousekeepingStore.SWEEP_REASON,
        ErrorType.TIMEOUT_ERROR,
        execution.ranSeconds());
  }

  /** Logs one line with the stuck counts when anything is stuck. */
  public Map<StuckReason, Long> scanStuckNow() {
    Instant now = clock.instant();
    Map<StuckReason, Long> counts = FromBlockingThread.inSession(() -> stuck.count(now));
    long total = counts.values().stream().mapToLong(Long::longValue).sum();
    if (total > 0) {
      LOG.warnf(
          "STUCK_EXECUTIONS total=%d %s (GET /api/v1/executions/stuck)",
          total,
          counts.entrySet().stream()
              .filter(entry -> entry.getValue() > 0)
              .map(entry -> entry.getKey() + "=" + entry.getValue())
              .collect(Collectors.joining(" ")));
    }
    return counts;
  }

  /**
   * Deletes what is older than its retention; returns events, results, webhook deliveries and stuck
   * sightings deleted.
   */
  public long[] retainNow() {
    Instant now = clock.instant();
    long events = 0;
    long results = 0;
    if (config.eventsRetention().isPresent()) {
      Instant before = now.minus(config.eventsRetention().get());
      int batch = config.retentionBatch();
      events = inBatches(batch, () -> store.deleteEventsBefore(before, batch));
    }
    if (config.resultsRetention().isPresent()) {
      results =
          deleteResultsBefore(now.minus(config.resultsRetention().get()), config.retentionBatch());
    }
    long deliveries = 0;
    long sightings = 0;
    if (config.deliveriesRetention().isPresent()) {
      Instant before = now.minus(config.deliveriesRetention().get());
      int batch = config.retentionBatch();
      deliveries = inBatches(batch, () -> store.deleteDeliveriesBefore(before, batch));
      sightings = inBatches(batch, () -> store.deleteSightingsBefore(before, batch));
    }
    if (events + results + deliveries + sightings > 0) {
      LOG.infof(
          "RETENTION deleted events=%d results=%d deliveries=%d stuck_sightings=%d",
          events, results, deliveries, sightings);
    }
    return new long[] {events, results, deliveries, sightings};
  }

  @Scheduled(
      identity = "housekeeping-idempotency-keys",
      every = "${poller.housekeeping.retention-every}",
      executeWith = Scheduled.QUARTZ,
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
      skipExecutionIf = HousekeepingDisabled.class)
  void purgeIdempotencyKeys(ScheduledExecution tick) {
    run("idempotency-keys", tick, this::purgeIdempotencyKeysNow);
  }

  /**
   * Deletes Idempotency-Keys past their lifetime (poller.api.idempotency-key-lifetime). Only
   * tidies: a registration already treats an expired key as new.
   */
  public long purgeIdempotencyKeysNow() {
    Instant now = clock.instant();
    int batch = config.retentionBatch();
    long purged = inBatches(batch, () -> store.deleteExpiredIdempotencyKeys(now, batch));
    if (purged > 0) {
      LOG.infof("IDEMPOTENCY_KEYS_PURGED keys=%d", purged);
    }
    return purged;
  }

  @Scheduled(
      identity = "housekeeping-orphan-cancels",
      every = "${poller.housekeeping.orphan-cancel-every}",
      executeWith = Scheduled.QUARTZ,
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
      skipExecutionIf = HousekeepingDisabled.class)
  void cancelOrphans(ScheduledExecution tick) {
    run("orphan-cancels", tick, this::cancelOrphansNow);
  }

  /**
   * Tries again to cancel AMC runs that nothing tracks (a create answered after its execution had
   * moved on) whose cancel by the loop failed or never happened: each due one is cancelled, or
   * found ended at AMC, and settled with a REMOTE_ORPHAN_CANCELLED event; a failed try backs off
   * exponentially up to an hour. Returns how many were settled.
   */
  public int cancelOrphansNow() {
    Instant now = clock.instant();
    List<HousekeepingStore.Orphan> due =
        FromBlockingThread.inSession(() -> store.dueOrphans(now, ORPHAN_BATCH));
    int settled = 0;
    for (HousekeepingStore.Orphan orphan : due) {
      if (settle(orphan)) {
        settled++;
      }
    }
    return settled;
  }

  /** Deletes stored results older than {@code before}, {@code batch} rows per transaction. */
  long deleteResultsBefore(Instant before, int batch) {
    return inBatches(batch, () -> store.deleteResultsBefore(before, batch));
  }

  /**
   * Runs {@code deleteBatch} in a transaction of its own until a batch comes back short, so no
   * transaction holds many locks; bounded at 1000 batches, whatever is left waits for the next
   * tick. Returns the rows deleted.
   */
  private static long inBatches(int batch, Supplier<Uni<Integer>> deleteBatch) {
    long deleted = 0;
    for (int round = 0; round < 1000; round++) {
      int n = FromBlockingThread.inTransaction(deleteBatch);
      deleted += n;
      if (n < batch) {
        break;
      }
    }
    return deleted;
  }

  private boolean settle(HousekeepingStore.Orphan orphan) {
    String how;
    try {
      how = cancelOrEnded(orphan);
    } catch (RuntimeException failure) {
      long backoff = ORPHAN_BACKOFF.toSeconds() << Math.min(orphan.attempts(), 6);
      Duration next = Duration.ofSeconds(Math.min(backoff, ORPHAN_BACKOFF_CAP.toSeconds()));
      Instant nextTry = clock.instant().plus(next);
      FromBlockingThread.inTransaction(
          () -> store.orphanTryFailed(orphan, nextTry, failure.toString()));
      LOG.errorf(
          "REMOTE_ORPHAN_LEFT instance=%s remote=%s execution=%s attempts=%d next=%s error=%s",
          orphan.target().instanceId(),
          orphan.remoteId(),
          orphan.executionId(),
          orphan.attempts() + 1,
          next,
          failure.toString());
      return false;
    }
    Instant settledAt = clock.instant();
    String message =
        "remote execution " + orphan.remoteId() + " " + how + " by housekeeping: nothing tracks it";
    FromBlockingThread.inTransaction(
        () -> store.settleOrphan(orphan, settledAt, message, replica.id()));
    LOG.warnf(
        "REMOTE_ORPHAN_CANCELLED instance=%s remote=%s execution=%s %s",
        orphan.target().instanceId(), orphan.remoteId(), orphan.executionId(), how);
    return true;
  }

  /**
   * Cancels the run; when AMC refuses, asks for its status, since AMC refuses to cancel a run that
   * has ended (nothing left to do then). Both calls carry the client's own request timeouts; the
   * await bounds the whole try.
   */
  private String cancelOrEnded(HousekeepingStore.Orphan orphan) {
    try {
      amc.cancelExecution(orphan.target(), orphan.remoteId()).await().atMost(ORPHAN_TRY_DEADLINE);
      return "cancelled";
    } catch (RuntimeException refused) {
      String status =
          amc.getExecution(orphan.target(), orphan.remoteId())
              .await()
              .atMost(ORPHAN_TRY_DEADLINE)
              .status();
      boolean ended =
          RemoteStatusMapping.toLocal(status).map(ExecutionStatus::isTerminal).orElse(false);
      if (!ended) {
        throw refused;
      }
      return "found ended (" + status + ")";
    }
  }

  private void run(String job, ScheduledExecution tick, Work work) {
    Instant started = clock.instant();
    try {
      work.run();
      count(job, "ok");
    } catch (RuntimeException e) {
      count(job, "failed");
      LOG.warnf("housekeeping %s failed: %s", job, e.toString());
    }
    Duration took = Duration.between(started, clock.instant());
    // The scheduled fire time names the tick: the process tests check that across replicas each
    // tick of a job ran once (RacingReplicasIT reads these lines at DEBUG).
    LOG.debugf(
        "HOUSEKEEPING_RUN job=%s scheduledFor=%s took=%s", job, tick.getScheduledFireTime(), took);
  }

  private void count(String job, String outcome) {
    Counter.builder("poller.housekeeping.runs")
        .description("Housekeeping job runs on this replica, by job and outcome")
        .tag("job", job)
        .tag("outcome", outcome)
        .register(registry)
        .increment();
  }

  /**
   * Skips ticks when housekeeping is switched off (tests call the jobs directly), and once the
   * replica is stopping: the reactive pool closes before Quartz shuts down, so a tick fired then
   * would only fail and log it.
   */
  @Singleton
  static class HousekeepingDisabled extends SwitchedOff {

    private volatile boolean stopping;

    HousekeepingDisabled(HousekeepingConfig config) {
      super(config::enabled);
    }

    void onStop(@Observes ShutdownEvent event) {
      stopping = true;
    }

    @Override
    public boolean test(ScheduledExecution execution) {
      return stopping || super.test(execution);
    }
  }

  @FunctionalInterface
  private interface Work {
    void run();
  }
}
