package io.executionpoller.api;

import static io.executionpoller.db.Jdbc.instant;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agroal.api.AgroalDataSource;
import io.executionpoller.db.Jdbc;
import io.executionpoller.execution.ExecutionStatus;
import io.executionpoller.execution.TimeWindow;
import io.executionpoller.results.ResultQueries;
import io.executionpoller.results.ResultSummary;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The read side of the API and the dashboard: executions newest first with filters and a cursor,
 * one execution in full, and its audit trail. Plain parameterized SQL; every list is bounded.
 */
@ApplicationScoped
public class ExecutionQueries {

  private static final String SUMMARY_COLUMNS =
      """
      SELECT e.id, e.workflow_id, w.name AS workflow_name, i.instance_id, e.amc_execution_id,
             e.status, e.remote_status, e.created_at, e.started_at, e.completed_at, e.next_poll_at,
             e.error_type, e.error_message, e.retry_count, e.retry_of,
             r.status AS result_status, e.result_rows, e.result_size_bytes
        FROM workflow_executions e
        JOIN workflows w ON w.id = e.workflow_id
        JOIN amc_instances i ON i.id = e.amc_instance_id
        LEFT JOIN execution_results r ON r.execution_id = e.id
      """;

  private static final String DETAIL =
      """
      SELECT e.*, w.name AS workflow_name, i.instance_id,
             (SELECT n.id FROM workflow_executions n WHERE n.retry_of = e.id) AS retried_by
        FROM workflow_executions e
        JOIN workflows w ON w.id = e.workflow_id
        JOIN amc_instances i ON i.id = e.amc_instance_id
       WHERE e.id = ?
      """;

  private static final String EVENTS =
      """
      SELECT id, occurred_at, type, attempt, from_status, to_status, remote_status,
             amc_execution_id, message, replica
        FROM execution_events
       WHERE execution_id = ? AND id > ?
       ORDER BY id
       LIMIT ?
      """;

  private static final String LATEST_EVENTS =
      """
      SELECT id, occurred_at, type, attempt, from_status, to_status, remote_status,
             amc_execution_id, message, replica
        FROM execution_events
       WHERE execution_id = ?
       ORDER BY id DESC
       LIMIT ?
      """;

  private static final String EXISTS = "SELECT 1 FROM workflow_executions WHERE id = ?";

  private static final TypeReference<Map<String, String>> PARAMETERS = new TypeReference<>() {};

  private final AgroalDataSource dataSource;
  private final ResultQueries results;
  private final ObjectMapper json;

  ExecutionQueries(AgroalDataSource dataSource, ResultQueries results, ObjectMapper json) {
    this.dataSource = dataSource;
    this.results = results;
    this.json = json;
  }

  /** Up to {@code limit} executions matching {@code filter}, newest first, after {@code cursor}. */
  public Page<ExecutionSummary> list(ExecutionFilter filter, PageCursor cursor, int limit)
      throws SQLException {
    StringBuilder sql = new StringBuilder(SUMMARY_COLUMNS).append(" WHERE true");
    List<Object> params = new ArrayList<>();
    if (filter.statuses() != null && !filter.statuses().isEmpty()) {
      sql.append(" AND e.status = ANY (?)");
      params.add(filter.statuses().stream().map(Enum::name).toArray(String[]::new));
    }
    if (filter.workflowId() != null) {
      sql.append(" AND e.workflow_id = ?");
      params.add(filter.workflowId());
    }
    if (filter.instanceId() != null) {
      sql.append(" AND i.instance_id = ?");
      params.add(filter.instanceId());
    }
    if (filter.createdAfter() != null) {
      sql.append(" AND e.created_at > ?");
      params.add(filter.createdAfter());
    }
    if (cursor != null) {
      sql.append(" AND (e.created_at, e.id) < (?, ?)");
      params.add(cursor.createdAt());
      params.add(cursor.id());
    }
    // One more than asked tells whether there is a next page without a count.
    sql.append(" ORDER BY e.created_at DESC, e.id DESC LIMIT ?");
    params.add(limit + 1);
    List<ExecutionSummary> items = new ArrayList<>();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement query = connection.prepareStatement(sql.toString())) {
      Jdbc.bind(connection, query, params);
      try (ResultSet row = query.executeQuery()) {
        while (row.next()) {
          items.add(summary(row));
        }
      }
    }
    return Page.of(items, limit, last -> new PageCursor(last.createdAt(), last.id()).encode());
  }

  /** Everything about one execution, with its result step; empty when it does not exist. */
  public Optional<ExecutionView> detail(UUID id) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      return detail(connection, id);
    }
  }

  /** The same on the caller's connection; the result step is read only for an existing row. */
  public Optional<ExecutionView> detail(Connection connection, UUID id) throws SQLException {
    try (PreparedStatement query = connection.prepareStatement(DETAIL)) {
      query.setObject(1, id);
      try (ResultSet row = query.executeQuery()) {
        if (!row.next()) {
          return Optional.empty();
        }
        ResultSummary result =
            results.summary(connection, id).filter(r -> r.status() != null).orElse(null);
        return Optional.of(detail(row, result));
      }
    }
  }

  /** Events with a sequence above {@code after}, oldest first; empty when no such execution. */
  public Optional<Page<EventView>> events(UUID id, long after, int limit) throws SQLException {
    List<EventView> events = new ArrayList<>();
    try (Connection connection = dataSource.getConnection()) {
      try (PreparedStatement query = connection.prepareStatement(EVENTS)) {
        query.setObject(1, id);
        query.setLong(2, after);
        query.setInt(3, limit + 1);
        try (ResultSet row = query.executeQuery()) {
          while (row.next()) {
            events.add(event(row));
          }
        }
      }
      // Every execution has its REGISTERED event, so only an empty page can mean "no such id".
      if (events.isEmpty() && !exists(connection, id)) {
        return Optional.empty();
      }
    }
    return Optional.of(Page.of(events, limit, last -> Long.toString(last.sequence())));
  }

  /**
   * The newest {@code limit} events of an execution, newest first (the dashboard shows what
   * happened last); an empty list when there are none or no such execution.
   */
  public List<EventView> latestEvents(UUID id, int limit) throws SQLException {
    List<EventView> events = new ArrayList<>();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement query = connection.prepareStatement(LATEST_EVENTS)) {
      query.setObject(1, id);
      query.setInt(2, limit);
      try (ResultSet row = query.executeQuery()) {
        while (row.next()) {
          events.add(event(row));
        }
      }
    }
    return events;
  }

  private static EventView event(ResultSet row) throws SQLException {
    return new EventView(
        row.getLong("id"),
        instant(row, "occurred_at"),
        row.getString("type"),
        row.getInt("attempt"),
        row.getString("from_status"),
        row.getString("to_status"),
        row.getString("remote_status"),
        row.getString("amc_execution_id"),
        row.getString("message"),
        row.getString("replica"));
  }

  private static ExecutionSummary summary(ResultSet row) throws SQLException {
    return new ExecutionSummary(
        row.getObject("id", UUID.class),
        row.getObject("workflow_id", UUID.class),
        row.getString("workflow_name"),
        row.getString("instance_id"),
        row.getString("amc_execution_id"),
        ExecutionStatus.valueOf(row.getString("status")),
        row.getString("remote_status"),
        instant(row, "created_at"),
        instant(row, "started_at"),
        instant(row, "completed_at"),
        instant(row, "next_poll_at"),
        row.getString("error_type"),
        row.getString("error_message"),
        row.getInt("retry_count"),
        row.getObject("retry_of", UUID.class),
        row.getString("result_status"),
        (Long) row.getObject("result_rows"),
        (Long) row.getObject("result_size_bytes"));
  }

  private ExecutionView detail(ResultSet row, ResultSummary result) throws SQLException {
    return new ExecutionView(
        row.getObject("id", UUID.class),
        row.getObject("workflow_id", UUID.class),
        row.getString("workflow_name"),
        row.getString("instance_id"),
        row.getString("amc_execution_id"),
        ExecutionStatus.valueOf(row.getString("status")),
        row.getString("remote_status"),
        row.getString("status_reason"),
        instant(row, "created_at"),
        instant(row, "updated_at"),
        instant(row, "submitted_at"),
        instant(row, "started_at"),
        instant(row, "completed_at"),
        instant(row, "next_poll_at"),
        instant(row, "last_polled_at"),
        row.getInt("poll_count"),
        row.getInt("consecutive_poll_errors"),
        row.getString("last_error"),
        instant(row, "last_error_at"),
        row.getString("error_type"),
        row.getString("error_message"),
        row.getInt("retry_count"),
        instant(row, "next_retry_at"),
        row.getString("lease_owner"),
        instant(row, "lease_expires_at"),
        readJson(row.getString("parameters"), PARAMETERS),
        readJson(row.getString("time_window"), new TypeReference<TimeWindow>() {}),
        (Long) row.getObject("result_rows"),
        (Long) row.getObject("result_size_bytes"),
        (Integer) row.getObject("execution_duration"),
        row.getObject("retry_of", UUID.class),
        row.getObject("retried_by", UUID.class),
        result);
  }

  private <T> T readJson(String text, TypeReference<T> type) {
    if (text == null) {
      return null;
    }
    try {
      return json.readValue(text, type);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("unreadable JSON column", e);
    }
  }

  private static boolean exists(Connection connection, UUID id) throws SQLException {
    try (PreparedStatement exists = connection.prepareStatement(EXISTS)) {
      exists.setObject(1, id);
      try (ResultSet row = exists.executeQuery()) {
        return row.next();
      }
    }
  }
}
