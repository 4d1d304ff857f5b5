package io.executionpoller.dashboard;

import static io.executionpoller.db.NativeColumns.instant;
import static io.executionpoller.db.NativeColumns.whole;

import io.executionpoller.db.Sessions;
import io.executionpoller.execution.ExecutionStatus;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * What the charts draw, read over one window of completion times: completions per hour by final
 * status, and per workflow and per instance the run-time percentiles, failure rate and AMC calls
 * per execution; and the sampled due-check backlog. Native SQL for the percentiles and hour bins,
 * read in the caller's session.
 */
@ApplicationScoped
class ChartQueries {

  /** Final statuses counted as failures: an operator's cancel is not the workflow's failure. */
  static final EnumSet<ExecutionStatus> FAILURES =
      EnumSet.of(ExecutionStatus.FAILED, ExecutionStatus.TIMEOUT);

  /** Rows in each per-workflow and per-instance table, busiest first. */
  static final int TABLE_ROWS = 50;

  private static final String COMPLETED =
      """
        FROM workflow_executions e
        JOIN workflows w ON w.id = e.workflow_id
        JOIN amc_instances i ON i.id = e.amc_instance_id
       WHERE e.status = ANY(:terminal) AND e.completed_at >= :since AND e.completed_at < :until
         AND (CAST(:workflow AS uuid) IS NULL OR e.workflow_id = CAST(:workflow AS uuid))
         AND (CAST(:instance AS text) IS NULL OR i.instance_id = CAST(:instance AS text))
      """;

  /** Hour bins on UTC hours, whatever the session's time zone. */
  private static final String PER_HOUR =
      "SELECT date_bin('1 hour', e.completed_at, TIMESTAMPTZ '2000-01-01 00:00:00+00'),"
          + " e.status, count(*)"
          + COMPLETED
          + " GROUP BY 1, 2";

  /**
   * AMC calls an execution cost: its checks, plus its creates (the first and each resubmission)
   * when it was submitted by this daemon.
   */
  private static final String FIGURES =
      """
      count(*),
      count(*) FILTER (WHERE e.status = ANY(:failures)),
      percentile_cont(0.5) WITHIN GROUP (ORDER BY e.execution_duration),
      percentile_cont(0.95) WITHIN GROUP (ORDER BY e.execution_duration),
      avg(e.poll_count
          + CASE WHEN e.submit_attempted_at IS NULL THEN 0 ELSE 1 + e.retry_count END)
      """;

  private static final String PER_WORKFLOW =
      "SELECT CAST(w.id AS text), COALESCE(w.name, w.amc_workflow_id, 'ad hoc query'), "
          + FIGURES
          + COMPLETED
          + " GROUP BY w.id ORDER BY 3 DESC, 2 LIMIT :rows";

  private static final String PER_INSTANCE =
      "SELECT i.instance_id, i.instance_id, "
          + FIGURES
          + COMPLETED
          + " GROUP BY i.instance_id ORDER BY 3 DESC, 2 LIMIT :rows";

  private static final String BACKLOG =
      """
      SELECT sampled_at, due FROM due_backlog_samples
       WHERE sampled_at >= :since AND sampled_at < :until ORDER BY sampled_at
      """;

  /** Completions of one status in one hour. */
  record HourCount(Instant hour, ExecutionStatus status, long count) {}

  /** One workflow's or instance's figures; percentiles and calls are null without data. */
  record Figures(
      String key,
      String label,
      long completed,
      long failed,
      Double p50Seconds,
      Double p95Seconds,
      Double callsPerExecution) {}

  /** The backlog as sampled at one time. */
  record BacklogSample(Instant at, long due) {}

  /** Everything the charts page draws, for completions in [since, until). */
  record Window(
      List<HourCount> perHour,
      List<Figures> workflows,
      List<Figures> instances,
      List<BacklogSample> backlog) {

    Window withWorkflows(List<Figures> figures) {
      return new Window(perHour, figures, instances, backlog);
    }

    Window withInstances(List<Figures> figures) {
      return new Window(perHour, workflows, figures, backlog);
    }

    Window withBacklog(List<BacklogSample> samples) {
      return new Window(perHour, workflows, instances, samples);
    }
  }

  Uni<Window> read(Instant since, Instant until, UUID workflow, String instance) {
    return Sessions.read(s -> window(s, since, until, workflow, instance));
  }

  /** One statement after the other: a session runs one at a time. */
  private static Uni<Window> window(
      Mutiny.Session session, Instant since, Instant until, UUID workflow, String instance) {
    return perHour(session, since, until, workflow, instance)
        .map(hours -> new Window(hours, List.of(), List.of(), List.of()))
        .chain(
            window ->
                figures(session, PER_WORKFLOW, since, until, workflow, instance)
                    .map(window::withWorkflows))
        .chain(
            window ->
                figures(session, PER_INSTANCE, since, until, workflow, instance)
                    .map(window::withInstances))
        .chain(window -> backlog(session, since, until).map(window::withBacklog));
  }

  private static Uni<List<HourCount>> perHour(
      Mutiny.Session session, Instant since, Instant until, UUID workflow, String instance) {
    return bind(
            session.createNativeQuery(PER_HOUR, Object[].class), since, until, workflow, instance)
        .getResultList()
        .map(
            rows ->
                rows.stream()
                    .map(
                        row ->
                            new HourCount(
                                instant(row[0]),
                                ExecutionStatus.valueOf((String) row[1]),
                                whole(row[2])))
                    .toList());
  }

  private static Uni<List<Figures>> figures(
      Mutiny.Session session,
      String sql,
      Instant since,
      Instant until,
      UUID workflow,
      String instance) {
    return bind(session.createNativeQuery(sql, Object[].class), since, until, workflow, instance)
        .setParameter("failures", ExecutionStatus.names(FAILURES))
        .setParameter("rows", TABLE_ROWS)
        .getResultList()
        .map(
            rows ->
                rows.stream()
                    .map(
                        row ->
                            new Figures(
                                (String) row[0],
                                (String) row[1],
                                whole(row[2]),
                                whole(row[3]),
                                decimal(row[4]),
                                decimal(row[5]),
                                decimal(row[6])))
                    .toList());
  }

  private static Uni<List<BacklogSample>> backlog(
      Mutiny.Session session, Instant since, Instant until) {
    return session
        .createNativeQuery(BACKLOG, Object[].class)
        .setParameter("since", since)
        .setParameter("until", until)
        .getResultList()
        .map(
            rows ->
                rows.stream()
                    .map(row -> new BacklogSample(instant(row[0]), whole(row[1])))
                    .toList());
  }

  private static <T> Mutiny.SelectionQuery<T> bind(
      Mutiny.SelectionQuery<T> query,
      Instant since,
      Instant until,
      UUID workflow,
      String instance) {
    return query
        .setParameter("terminal", ExecutionStatus.names(ExecutionStatus.TERMINAL))
        .setParameter("since", since)
        .setParameter("until", until)
        .setParameter("workflow", workflow == null ? null : workflow.toString())
        .setParameter("instance", instance);
  }

  private static Double decimal(Object value) {
    return value == null ? null : ((Number) value).doubleValue();
  }
}
