package io.executionpoller.admin;

import io.agroal.api.AgroalDataSource;
import io.executionpoller.api.ApiProblem;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

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
        JOIN execution_results r ON r.execution_id = e.id AND r.status = 'STORED'
       WHERE e.created_at >= ?
      """;

  private static final String BY_WORKFLOW =
      """
      SELECT e.workflow_id, w.name, count(*) AS executions,
             count(*) FILTER (WHERE e.status = 'SUCCESS') AS succeeded,
             count(*) FILTER (WHERE e.status IN ('FAILED', 'TIMEOUT', 'CANCELLED')) AS failed,
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

  private final AgroalDataSource dataSource;
  private final Clock clock;

  StatsResource(AgroalDataSource dataSource, Clock clock) {
    this.dataSource = dataSource;
    this.clock = clock;
  }

  @Operation(
      summary = "Counts, success rate, durations, result sizes and error types over a window")
  @GET
  @Produces(MediaType.APPLICATION_JSON)
  public Stats stats(@QueryParam("window") String windowParam) throws SQLException {
    Duration window = window(windowParam);
    Instant until = clock.instant();
    Instant since = until.minus(window);
    Timestamp from = Timestamp.from(since);
    try (Connection connection = dataSource.getConnection()) {
      Map<String, Long> byStatus = counts(connection, BY_STATUS, from);
      long total = byStatus.values().stream().mapToLong(Long::longValue).sum();
      long finished =
          byStatus.getOrDefault("SUCCESS", 0L)
              + byStatus.getOrDefault("FAILED", 0L)
              + byStatus.getOrDefault("TIMEOUT", 0L)
              + byStatus.getOrDefault("CANCELLED", 0L);
      return new Stats(
          window.toString(),
          since,
          until,
          total,
          byStatus,
          rate(byStatus.getOrDefault("SUCCESS", 0L), finished),
          counts(connection, BY_ERROR, from),
          results(connection, from),
          workflows(connection, from));
    }
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

  private static Map<String, Long> counts(Connection connection, String sql, Timestamp from)
      throws SQLException {
    Map<String, Long> counts = new LinkedHashMap<>();
    try (PreparedStatement query = connection.prepareStatement(sql)) {
      query.setTimestamp(1, from);
      try (ResultSet row = query.executeQuery()) {
        while (row.next()) {
          counts.put(row.getString(1), row.getLong(2));
        }
      }
    }
    return counts;
  }

  private static Stats.ResultSizes results(Connection connection, Timestamp from)
      throws SQLException {
    try (PreparedStatement query = connection.prepareStatement(RESULTS)) {
      query.setTimestamp(1, from);
      try (ResultSet row = query.executeQuery()) {
        row.next();
        return new Stats.ResultSizes(
            row.getLong("stored"),
            row.getLong("rows"),
            row.getLong("bytes"),
            (Double) row.getObject("p50"),
            (Double) row.getObject("p95"),
            (Long) row.getObject("max"));
      }
    }
  }

  private static List<Stats.WorkflowStats> workflows(Connection connection, Timestamp from)
      throws SQLException {
    List<Stats.WorkflowStats> workflows = new ArrayList<>();
    try (PreparedStatement query = connection.prepareStatement(BY_WORKFLOW)) {
      query.setTimestamp(1, from);
      query.setInt(2, MAX_WORKFLOWS);
      try (ResultSet row = query.executeQuery()) {
        while (row.next()) {
          long succeeded = row.getLong("succeeded");
          long failed = row.getLong("failed");
          workflows.add(
              new Stats.WorkflowStats(
                  row.getString("workflow_id"),
                  row.getString("name"),
                  row.getLong("executions"),
                  succeeded,
                  failed,
                  rate(succeeded, succeeded + failed),
                  (Double) row.getObject("p50"),
                  (Double) row.getObject("p95")));
        }
      }
    }
    return workflows;
  }
}
