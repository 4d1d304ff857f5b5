package io.executionpoller.stuck;

import io.agroal.api.AgroalDataSource;
import io.executionpoller.poll.PollConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Finds stuck executions: one query, one branch per reason, each reading only active executions
 * (through the due index) or unstored results, so a table of millions of finished executions costs
 * nothing. The thresholds come from {@link StuckConfig} and the poll interval.
 */
@ApplicationScoped
public class StuckDetector {

  /** Each branch yields (id, reason, since, detail); parameters in the order of {@link #bind}. */
  private static final String STUCK =
      """
      SELECT e.id, e.workflow_id, e.amc_execution_id, e.status, s.reason, s.since, s.detail,
             e.lease_owner, r.status AS result_status, COALESCE(r.last_error, e.last_error) AS last_error
        FROM (
          SELECT id, 'PENDING_TOO_LONG' AS reason, created_at AS since,
                 'PENDING since it was registered' AS detail
            FROM workflow_executions WHERE status = 'PENDING' AND created_at < ?
          UNION ALL
          SELECT id, 'RUNNING_TOO_LONG', started_at, 'RUNNING since it started'
            FROM workflow_executions WHERE status = 'RUNNING' AND started_at < ?
          UNION ALL
          SELECT id, 'PAST_REMOTE_EXPIRY', remote_expire_time, 'still PENDING after AMC''s expireTime'
            FROM workflow_executions WHERE status = 'PENDING' AND remote_expire_time < ?
          UNION ALL
          SELECT id, 'LEASE_EXPIRED', lease_expires_at, 'lease of ' || lease_owner || ' expired'
            FROM workflow_executions
           WHERE status IN ('PENDING', 'RUNNING') AND lease_owner IS NOT NULL
             AND lease_expires_at < now() - make_interval(secs => ?)
          UNION ALL
          SELECT id, 'CHECK_OVERDUE', next_poll_at, 'due and not checked'
            FROM workflow_executions
           WHERE status IN ('PENDING', 'RUNNING') AND next_poll_at < ?
          UNION ALL
          SELECT id, 'FAILING_CHECKS', last_error_at,
                 consecutive_poll_errors || ' failed checks in a row'
            FROM workflow_executions
           WHERE status IN ('PENDING', 'RUNNING') AND consecutive_poll_errors >= ?
          UNION ALL
          SELECT execution_id, 'RESULT_FAILED', last_error_at,
                 'result download failed for good (' || error_type || ')'
            FROM execution_results WHERE status = 'FAILED'
          UNION ALL
          SELECT execution_id, 'RESULT_PENDING_TOO_LONG', created_at,
                 'result ' || status || ' after ' || attempts || ' attempt(s)'
            FROM execution_results
           WHERE status IN ('PENDING', 'DOWNLOADING') AND created_at < ?
        ) s
        JOIN workflow_executions e ON e.id = s.id
        LEFT JOIN execution_results r ON r.execution_id = e.id
       ORDER BY s.since, e.id, s.reason
       LIMIT ?
      """;

  /** The same branches, counted per reason instead of listed. */
  private static final String COUNT_BY_REASON =
      "SELECT reason, count(*) FROM ("
          + STUCK.replace("LIMIT ?", "").replace("ORDER BY s.since, e.id, s.reason", "")
          + ") stuck GROUP BY reason";

  private final AgroalDataSource dataSource;
  private final StuckConfig config;
  private final PollConfig poll;

  StuckDetector(AgroalDataSource dataSource, StuckConfig config, PollConfig poll) {
    this.dataSource = dataSource;
    this.config = config;
    this.poll = poll;
  }

  /** Stuck executions at {@code now}, longest-stuck first, at most {@code limit} rows. */
  public List<StuckExecution> find(Instant now, int limit) throws SQLException {
    List<StuckExecution> stuck = new ArrayList<>();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement query = connection.prepareStatement(STUCK)) {
      int next = bind(query, now);
      query.setInt(next, limit);
      try (ResultSet row = query.executeQuery()) {
        while (row.next()) {
          Timestamp since = row.getTimestamp("since");
          stuck.add(
              new StuckExecution(
                  row.getObject("id", UUID.class),
                  row.getObject("workflow_id", UUID.class),
                  row.getString("amc_execution_id"),
                  row.getString("status"),
                  StuckReason.valueOf(row.getString("reason")),
                  since == null ? null : since.toInstant(),
                  row.getString("detail"),
                  row.getString("lease_owner"),
                  row.getString("result_status"),
                  row.getString("last_error")));
        }
      }
    }
    return stuck;
  }

  /** How many executions are stuck for each reason (every reason present, zero or more). */
  public Map<StuckReason, Long> count(Instant now) throws SQLException {
    Map<StuckReason, Long> counts = new EnumMap<>(StuckReason.class);
    for (StuckReason reason : StuckReason.values()) {
      counts.put(reason, 0L);
    }
    try (Connection connection = dataSource.getConnection();
        PreparedStatement query = connection.prepareStatement(COUNT_BY_REASON)) {
      bind(query, now);
      try (ResultSet row = query.executeQuery()) {
        while (row.next()) {
          counts.put(StuckReason.valueOf(row.getString(1)), row.getLong(2));
        }
      }
    }
    return counts;
  }

  /** Binds the thresholds; returns the index of the next parameter. */
  private int bind(PreparedStatement query, Instant now) throws SQLException {
    int i = 1;
    query.setTimestamp(i++, Timestamp.from(now.minus(config.pendingAfter())));
    query.setTimestamp(i++, Timestamp.from(now.minus(config.runningAfter())));
    query.setTimestamp(i++, Timestamp.from(now));
    // Leases expire on the database clock, where they were set.
    query.setDouble(i++, config.leaseGrace().toMillis() / 1000.0);
    query.setTimestamp(
        i++, Timestamp.from(now.minus(poll.interval().multipliedBy(config.overdueIntervals()))));
    query.setInt(i++, config.failingChecks());
    query.setTimestamp(i++, Timestamp.from(now.minus(config.resultPendingAfter())));
    return i;
  }
}
