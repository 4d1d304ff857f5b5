package io.executionpoller.admin;

import io.executionpoller.api.ApiProblem;
import io.executionpoller.db.Sessions;
import io.executionpoller.execution.ExecutionStatus;
import io.executionpoller.results.ResultStatus;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.hibernate.reactive.mutiny.Mutiny;

/** GET /api/v1/stats?window=P7D: how executions registered in the window went. */
@Tag(name = "operations")
@Path("/api/v1/stats")
public class StatsResource {

  static final Duration DEFAULT_WINDOW = Duration.ofDays(7);
  static final Duration MAX_WINDOW = Duration.ofDays(366);
  static final Duration MIN_WINDOW = Duration.ofMinutes(1);

  /** Workflows are listed busiest first; the rest are in the totals. */
  private static final int MAX_WORKFLOWS = 200;

  private static final String BY_STATUS =
      "SELECT status, count(*) FROM workflow_executions WHERE created_at >= ? GROUP BY status";

  private static final String BY_ERROR =
      """
      SELECT error_type, count(*) FROM workflow_executions
       WHERE created_at >= ? AND error_type IS NOT NULL GROUP BY error_type
      """;

  private static final String RESULTS =
      """
      SELECT count(*) AS stored, coalesce(sum(e.result_rows), 0) AS rows,
             coalesce(sum(e.result_size_bytes), 0) AS bytes,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY e.result_size_bytes) AS p50,
             percentile_cont(0.95) WITHIN GROUP (ORDER BY e.result_size_bytes) AS p95,
             max(e.result_size_bytes) AS max
        FROM workflow_executions e
        JOIN execution_results r ON r.execution_id = e.id AND r.status = ?
       WHERE e.created_at >= ?
      """;

  /** Failed counts every unsuccessful end: FAILED, TIMEOUT and CANCELLED. */
  private static final String BY_WORKFLOW =
      """
      SELECT e.workflow_id, w.name, count(*) AS executions,
             count(*) FILTER (WHERE e.status = ?) AS succeeded,
             count(*) FILTER (WHERE e.status = ANY(CAST(? AS text[]))) AS failed,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM e.completed_at - e.started_at))
               AS p50,
             percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM e.completed_at - e.started_at))
               AS p95
        FROM workflow_executions e
        JOIN workflows w ON w.id = e.workflow_id
       WHERE e.created_at >= ?
       GROUP BY e.workflow_id, w.name
       ORDER BY count(*) DESC, e.workflow_id
       LIMIT ?
      """;

  private static final String[] UNSUCCESSFUL =
      ExecutionStatus.names(
          ExecutionStatus.TERMINAL.stream()
              .filter(status -> status != ExecutionStatus.SUCCESS)
              .collect(Collectors.toSet()));

  private final Clock clock;

  StatsResource(Clock clock) {
    this.clock = clock;
  }

  @Operation(
      summary = "Counts, success rate, durations, result sizes and error types over a window")
  @GET
  @Produces(MediaType.APPLICATION_JSON)
  public Uni<Stats> stats(@QueryParam("window") String windowParam) {
    Duration window = window(windowParam);
    Instant until = clock.instant();
    Instant since = until.minus(window);
    return Sessions.read(session -> stats(session, window, since, until));
  }

  /** The four aggregates one after another on one session (a session runs one at a time). */
  private static Uni<Stats> stats(
      Mutiny.Session session, Duration window, Instant since, Instant until) {
    return counts(session, BY_STATUS, since)
        .chain(
            byStatus ->
                counts(session, BY_ERROR, since)
                    .chain(
                        byError ->
                            results(session, since)
                                .chain(
                                    results ->
                                        workflows(session, since)
                                            .map(
                                                workflows ->
                                                    stats(
                                                        window, since, until, byStatus, byError,
                                                        results, workflows)))));
  }

  private static Stats stats(
      Duration window,
      Instant since,
      Instant until,
      Map<String, Long> byStatus,
      Map<String, Long> byError,
      Stats.ResultSizes results,
      List<Stats.WorkflowStats> workflows) {
    long total = byStatus.values().stream().mapToLong(Long::longValue).sum();
    long finished =
        ExecutionStatus.TERMINAL.stream()
            .mapToLong(status -> byStatus.getOrDefault(status.name(), 0L))
            .sum();
    return new Stats(
        window.toString(),
        since,
        until,
        total,
        byStatus,
        rate(byStatus.getOrDefault(ExecutionStatus.SUCCESS.name(), 0L), finished),
        byError,
        results,
        workflows);
  }

  /** An ISO-8601 duration (P7D, PT12H) from a minute to 366 days; seven days when absent. */
  static Duration window(String value) {
    if (value == null || value.isEmpty()) {
      return DEFAULT_WINDOW;
    }
    try {
      Duration window = Duration.parse(value);
      if (window.compareTo(MIN_WINDOW) >= 0 && window.compareTo(MAX_WINDOW) <= 0) {
        return window;
      }
    } catch (DateTimeParseException e) {
      // Answered below.
    }
    throw ApiProblem.badRequest(
        "window must be an ISO-8601 duration from PT1M to P366D, such as P7D or PT24H");
  }

  private static Double rate(long part, long whole) {
    return whole == 0 ? null : (double) part / whole;
  }

  private static Uni<Map<String, Long>> counts(Mutiny.Session session, String sql, Instant from) {
    return session
        .createNativeQuery(sql, Object[].class)
        .setParameter(1, from)
        .getResultList()
        .map(
            rows -> {
              Map<String, Long> counts = new LinkedHashMap<>();
              rows.forEach(row -> counts.put((String) row[0], ((Number) row[1]).longValue()));
              return counts;
            });
  }

  private static Uni<Stats.ResultSizes> results(Mutiny.Session session, Instant from) {
    return session
        .createNativeQuery(RESULTS, Object[].class)
        .setParameter(1, ResultStatus.STORED.name())
        .setParameter(2, from)
        .getSingleResult()
        .map(
            row ->
                new Stats.ResultSizes(
                    ((Number) row[0]).longValue(),
                    ((Number) row[1]).longValue(),
                    ((Number) row[2]).longValue(),
                    decimal(row[3]),
                    decimal(row[4]),
                    row[5] == null ? null : ((Number) row[5]).longValue()));
  }

  private static Uni<List<Stats.WorkflowStats>> workflows(Mutiny.Session session, Instant from) {
    return session
        .createNativeQuery(BY_WORKFLOW, Object[].class)
        .setParameter(1, ExecutionStatus.SUCCESS.name())
        .setParameter(2, UNSUCCESSFUL)
        .setParameter(3, from)
        .setParameter(4, MAX_WORKFLOWS)
        .getResultList()
        .map(
            rows -> {
              List<Stats.WorkflowStats> workflows = new ArrayList<>();
              for (Object[] row : rows) {
                long succeeded = ((Number) row[3]).longValue();
                long failed = ((Number) row[4]).longValue();
                workflows.add(
                    new Stats.WorkflowStats(
                        row[0].toString(),
                        (String) row[1],
                        ((Number) row[2]).longValue(),
                        succeeded,
                        failed,
                        rate(succeeded, succeeded + failed),
                        decimal(row[5]),
                        decimal(row[6])));
              }
              return workflows;
            });
  }

  private static Double decimal(Object value) {
    return value == null ? null : ((Number) value).doubleValue();
  }
}
