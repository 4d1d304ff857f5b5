package io.executionpoller.poll;

import io.executionpoller.execution.ExecutionStatus;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Each workflow's usual run time (median and p90 of its recently succeeded runs), read from the
 * database every {@code poller.schedule.stats-refresh} and kept in memory: the planner asks it on
 * every check, and a check never waits for a query. A workflow with too few recorded runs has none,
 * and the schedule's defaults apply.
 */
@Singleton
public class WorkflowDurations {

  private static final Logger LOG = Logger.getLogger(WorkflowDurations.class);

  private static final String PERCENTILES =
      """
      SELECT workflow_id,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY execution_duration) AS median,
             percentile_cont(0.9) WITHIN GROUP (ORDER BY execution_duration) AS p90
        FROM workflow_executions
       WHERE execution_duration IS NOT NULL AND completed_at >= $1 AND status = $2
       GROUP BY workflow_id
      HAVING count(*) >= $3
      """;

  private final Pool pool;
  private final Clock clock;
  private final ScheduleConfig config;
  private volatile Map<UUID, TypicalRun> recorded = Map.of();

  WorkflowDurations(Pool pool, Clock clock, ScheduleConfig config) {
    this.pool = pool;
    this.clock = clock;
    this.config = config;
  }

  /** The workflow's recorded run times, or null when it has too few recent runs. */
  TypicalRun of(UUID workflowId) {
    return recorded.get(workflowId);
  }

  @Scheduled(
      identity = "workflow-durations",
      every = "${poller.schedule.stats-refresh}",
      executeWith = Scheduled.SIMPLE,
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  Uni<Void> scheduledRefresh() {
    return refresh()
        .onFailure()
        .invoke(failure -> LOG.debugf("reading workflow run times failed: %s", failure.toString()))
        .onFailure()
        .recoverWithNull();
  }

  /** Reads the percentiles from the database now. Tests call it instead of waiting for the tick. */
  public Uni<Void> refresh() {
    Tuple bounds =
        Tuple.of(
            ExecutionStore.odt(clock.instant().minus(config.statsLookback())),
            ExecutionStatus.SUCCESS.name(),
            config.minRecordedRuns());
    return pool.preparedQuery(PERCENTILES)
        .execute(bounds)
        .invoke(rows -> recorded = read(rows))
        .replaceWithVoid();
  }

  private static Map<UUID, TypicalRun> read(RowSet<Row> rows) {
    Map<UUID, TypicalRun> runs = new HashMap<>();
    for (Row row : rows) {
      runs.put(
          row.getUUID("workflow_id"),
          new TypicalRun(seconds(row.getDouble("median")), seconds(row.getDouble("p90"))));
    }
    return Map.copyOf(runs);
  }

  private static Duration seconds(double seconds) {
    return Duration.ofMillis((long) (seconds * 1000));
  }
}
