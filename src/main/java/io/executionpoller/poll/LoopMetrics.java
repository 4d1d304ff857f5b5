package io.executionpoller.poll;

import io.executionpoller.execution.ExecutionStatus;
import io.executionpoller.metrics.CountGauges;
import io.executionpoller.metrics.MetricsConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * The poll loop's own meters, registered here and nowhere else (the lifecycle metrics it shares
 * with other features are in PollerMetrics): SQL statements by operation, failed cycles, checks in
 * flight on this replica (from {@link LoopProgress}), and, from the database every {@code
 * poller.metrics.gauge-refresh}, executions by status and how late the oldest due check is. The
 * database figures are cluster-wide, the same on every replica: aggregate them with max, not sum.
 */
@Startup
@Singleton
public class LoopMetrics {

  private static final Logger LOG = Logger.getLogger(LoopMetrics.class);

  /** The operations of ExecutionStore, each a label of poller_db_statements_total. */
  static final List<String> OPERATIONS =
      List.of(
          "claim",
          "reschedule",
          "defer",
          "release",
          "mark_submit",
          "queue",
          "update",
          "update_batch",
          "resubmit",
          "untracked",
          "tracked",
          "adopt",
          "load",
          "record_orphan",
          "orphan_settled",
          "insert_events",
          "open_result");

  /** A count over the whole table: the reason the refresh is periodic, not per scrape. */
  private static final String COUNT_BY_STATUS =
      "SELECT status, count(*) AS executions FROM workflow_executions GROUP BY status";

  /**
   * The oldest check that is due and free to claim (no live lease): the due index, read in
   * next_poll_at order, answers it from its first matching entry. The active statuses are in the
   * text, not bound, for the reason given at ExecutionStore.ACTIVE.
   */
  private static final String OLDEST_DUE =
      """
      SELECT min(next_poll_at) AS oldest FROM workflow_executions
       WHERE status IN (%s) AND next_poll_at <= $1
         AND (lease_owner IS NULL OR lease_expires_at <= now())
      """
          .formatted(ExecutionStore.ACTIVE);

  private final Pool pool;
  private final Clock clock;
  private final Map<String, Counter> statements;
  private final Counter failedCycles;
  private final CountGauges<ExecutionStatus> byStatus;
  private final AtomicLong dueLagMillis = new AtomicLong();

  /**
   * The config is injected for its default: a mapping nobody injects is not registered, and the
   * {@code @Scheduled} expression below could not be resolved.
   */
  LoopMetrics(
      Pool pool, Clock clock, LoopProgress progress, MeterRegistry registry, MetricsConfig config) {
    LOG.debugf("loop gauges refreshed every %s", config.gaugeRefresh());
    this.pool = pool;
    this.clock = clock;
    this.statements =
        OPERATIONS.stream()
            .collect(
                Collectors.toUnmodifiableMap(
                    Function.identity(),
                    operation ->
                        Counter.builder("poller.db.statements")
                            .description("SQL statements issued by the poll loop")
                            .tag("operation", operation)
                            .register(registry)));
    this.failedCycles =
        Counter.builder("poller.cycles.failed")
            .description("Poll cycles that failed as a whole")
            .register(registry);
    this.byStatus =
        new CountGauges<>(
            registry,
            "poller.executions",
            "Executions by status, cluster-wide (refreshed from the database)",
            "status",
            EnumSet.allOf(ExecutionStatus.class));
    Gauge.builder("poller.due.check.lag", dueLagMillis, millis -> millis.get() / 1000.0)
        .description(
            "How long the oldest due, unclaimed check has been waiting, cluster-wide; 0 if none")
        .baseUnit("seconds")
        .strongReference(true)
        .register(registry);
    Gauge.builder("poller.checks.in.flight", progress, p -> p.snapshot().checksInFlight())
        .description("Checks running on this replica now")
        .strongReference(true)
        .register(registry);
  }

  /** One SQL statement of {@code operation} (one of {@link #OPERATIONS}) is issued. */
  void statementIssued(String operation) {
    statements.get(operation).increment();
  }

  /** A cycle failed as a whole. */
  void cycleFailed() {
    failedCycles.increment();
  }

  @Scheduled(
      identity = "loop-gauges",
      every = "${poller.metrics.gauge-refresh}",
      executeWith = Scheduled.SIMPLE,
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  Uni<Void> scheduledRefresh() {
    return refresh()
        .onFailure()
        .invoke(failure -> LOG.debugf("refreshing the loop gauges failed: %s", failure.toString()))
        .onFailure()
        .recoverWithNull();
  }

  /** Reads both figures from the database now. Tests call it instead of waiting for the tick. */
  public Uni<Void> refresh() {
    Instant now = clock.instant();
    return pool.preparedQuery(COUNT_BY_STATUS)
        .execute()
        .invoke(rows -> byStatus.set(counts(rows)))
        .chain(() -> pool.preparedQuery(OLDEST_DUE).execute(Tuple.of(ExecutionStore.odt(now))))
        .invoke(rows -> dueLagMillis.set(lagMillis(rows, now)))
        .replaceWithVoid();
  }

  private static Map<ExecutionStatus, Long> counts(RowSet<Row> rows) {
    Map<ExecutionStatus, Long> counts = new EnumMap<>(ExecutionStatus.class);
    rows.forEach(
        row ->
            counts.put(
                ExecutionStatus.valueOf(row.getString("status")), row.getLong("executions")));
    return counts;
  }

  private static long lagMillis(RowSet<Row> rows, Instant now) {
    OffsetDateTime oldest = rows.iterator().next().getOffsetDateTime("oldest");
    return oldest == null ? 0 : Math.max(0, Duration.between(oldest.toInstant(), now).toMillis());
  }
}
