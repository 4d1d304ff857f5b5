package io.executionpoller.api;

import io.agroal.api.AgroalDataSource;
import io.executionpoller.db.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Registered workflows, newest first, for GET /workflows. */
@ApplicationScoped
public class WorkflowQueries {

  private static final String COLUMNS =
      """
      SELECT w.id, w.name, i.instance_id, a.account_id, a.marketplace_id, w.amc_workflow_id,
             w.sql_query, w.max_runtime_seconds, w.warning_threshold_seconds, w.created_at
        FROM workflows w
        JOIN amc_instances i ON i.id = w.amc_instance_id
        JOIN amc_accounts a ON a.id = i.amc_account_id
      """;

  private final AgroalDataSource dataSource;

  WorkflowQueries(AgroalDataSource dataSource) {
    this.dataSource = dataSource;
  }

  public Page<WorkflowView> list(String instanceId, PageCursor cursor, int limit)
      throws SQLException {
    StringBuilder sql = new StringBuilder(COLUMNS).append(" WHERE true");
    List<Object> params = new ArrayList<>();
    if (instanceId != null) {
      sql.append(" AND i.instance_id = ?");
      params.add(instanceId);
    }
    if (cursor != null) {
      sql.append(" AND (w.created_at, w.id) < (?, ?)");
      params.add(cursor.createdAt());
      params.add(cursor.id());
    }
    sql.append(" ORDER BY w.created_at DESC, w.id DESC LIMIT ?");
    params.add(limit + 1);
    List<WorkflowView> items = new ArrayList<>();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement query = connection.prepareStatement(sql.toString())) {
      Jdbc.bind(connection, query, params);
      try (ResultSet row = query.executeQuery()) {
        while (row.next()) {
          items.add(view(row));
        }
      }
    }
    return Page.of(items, limit, last -> new PageCursor(last.createdAt(), last.id()).encode());
  }

  public Optional<WorkflowView> find(UUID id) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement query = connection.prepareStatement(COLUMNS + " WHERE w.id = ?")) {
      query.setObject(1, id);
      try (ResultSet row = query.executeQuery()) {
        return row.next() ? Optional.of(view(row)) : Optional.empty();
      }
    }
  }

  private static WorkflowView view(ResultSet row) throws SQLException {
    return new WorkflowView(
        row.getObject("id", UUID.class),
        row.getString("name"),
        row.getString("instance_id"),
        row.getString("account_id"),
        row.getString("marketplace_id"),
        row.getString("amc_workflow_id"),
        row.getString("sql_query"),
        (Integer) row.getObject("max_runtime_seconds"),
        (Integer) row.getObject("warning_threshold_seconds"),
        Jdbc.instant(row, "created_at"));
  }
}
