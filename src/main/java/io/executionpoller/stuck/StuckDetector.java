package io.executionpoller.stuck;

import static io.executionpoller.db.NativeColumns.instant;
import static io.executionpoller.db.NativeColumns.whole;

import io.executionpoller.execution.ExecutionStatus;
import io.executionpoller.poll.PollConfig;
import io.executionpoller.results.ResultStatus;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * Finds stuck executions: one query, one branch per reason, each reading only active executions
 * (through the due index) or unstored results, so a table of millions of finished executions costs
 * nothing. The thresholds come from {@link StuckConfig} and the poll interval. A Hibernate Reactive
 * native query in the caller's session ({@code @WithSession}, or {@code FromBlockingThread} from a
 * scheduler thread).
 */
@ApplicationScoped
public class StuckDetector {

  /**
   * Each branch yields (id, reason, since, detail); {@link #bind} binds every parameter but the
   * limit.
   */
  private static final String STUCK =
      """
      SELECT e.id, e.workflow_id, e.amc_execution_id, e.status, s.reason, s.since, s.detail,
             e.lease_owner, r.status AS result_status, COALESCE(r.last_error, e.last_error) AS last_error
        FROM (
          SELECT id, 'PENDING_TOO_LONG' AS reason, created_at AS since,
                 'PENDING since it was registered' AS detail
            FROM workflow_executions WHERE status = :pending AND created_at < :pendingSince
          UNION ALL
          SELECT id, 'RUNNING_TOO_LONG', started_at, 'RUNNING since it started'
            FROM workflow_executions WHERE status = :running AND started_at < :runningSince
          UNION ALL
          SELECT id, 'PAST_REMOTE_EXPIRY', remote_expire_time, 'still PENDING after AMC''s expireTime'
            FROM workflow_executions WHERE status = :pending AND remote_expire_time < :now
          UNION ALL
          SELECT id, 'LEASE_EXPIRED', lease_expires_at, 'lease of ' || lease_owner || ' expired'
            FROM workflow_executions
           WHERE status = ANY(:active) AND lease_owner IS NOT NULL
             AND lease_expires_at < now() - make_interval(secs => :leaseGrace)
          UNION ALL
          SELECT id, 'CHECK_OVERDUE', next_poll_at, 'due and not checked'
            FROM workflow_executions
           WHERE status = ANY(:active) AND next_poll_at < :overdueSince
          UNION ALL
          SELECT id, 'FAILING_CHECKS', last_error_at,
                 consecutive_poll_errors || ' failed checks in a row'
            FROM workflow_executions
           WHERE status = ANY(:active) AND consecutive_poll_errors >= :failingChecks
          UNION ALL
          SELECT execution_id, 'RESULT_FAILED', last_error_at,
                 'result download failed for good (' || error_type || ')'
            FROM execution_results WHERE status = :resultFailed
          UNION ALL
          SELECT execution_id, 'RESULT_PENDING_TOO_LONG', created_at,
                 'result ' || status || ' after ' || attempts || ' attempt(s)'
            FROM execution_results
           WHERE status = ANY(:resultWaiting) AND created_at < :resultSince
        ) s
        JOIN workflow_executions e ON e.id = s.id
        LEFT JOIN execution_results r ON r.execution_id = e.id
       ORDER BY s.since, e.id, s.reason
       LIMIT :limit
      """;

  /** The same branches, counted per reason instead of listed. */
  private static final String COUNT_BY_REASON =
      "SELECT reason, count(*) FROM ("
          + STUCK.replace("LIMIT :limit", "").replace("ORDER BY s.since, e.id, s.reason", "")
          + ") stuck GROUP BY reason";

  private final StuckConfig config;
  private final PollConfig poll;

  StuckDetector(StuckConfig config, PollConfig poll) {
    this.config = config;
    this.poll = poll;
  }

  /** Stuck executions at {@code now}, longest-stuck first, at most {@code limit} rows. */
  public Uni<List<StuckExecution>> find(Instant now, int limit) {
    return Panache.getSession()
        .chain(
            session ->
                bind(session.createNativeQuery(STUCK, Object[].class), now)
                    .setParameter("limit", limit)
                    .getResultList())
        .map(rows -> rows.stream().map(StuckDetector::stuckExecution).toList());
  }

  private static StuckExecution stuckExecution(Object[] row) {
    return new StuckExecution(
        (UUID) row[0],
        (UUID) row[1],
        (String) row[2],
        (String) row[3],
        StuckReason.valueOf((String) row[4]),
        instant(row[5]),
        (String) row[6],
        (String) row[7],
        (String) row[8],
        (String) row[9]);
  }

  /** How many executions are stuck for each reason (every reason present, zero or more). */
  public Uni<Map<StuckReason, Long>> count(Instant now) {
    return Panache.getSession()
        .chain(
            session ->
                bind(session.createNativeQuery(COUNT_BY_REASON, Object[].class), now)
                    .getResultList())
        .map(
            rows -> {
              Map<StuckReason, Long> counts = new EnumMap<>(StuckReason.class);
              for (StuckReason reason : StuckReason.values()) {
                counts.put(reason, 0L);
              }
              rows.forEach(row -> counts.put(StuckReason.valueOf((String) row[0]), whole(row[1])));
              return counts;
            });
  }

  /** Binds the thresholds and the status sets. */
  private <T> Mutiny.SelectionQuery<T> bind(Mutiny.SelectionQuery<T> query, Instant now) {
    return query
        .setParameter("pending", ExecutionStatus.PENDING.name())
        .setParameter("running", ExecutionStatus.RUNNING.name())
        .setParameter("active", ExecutionStatus.names(ExecutionStatus.ACTIVE))
        .setParameter("resultFailed", ResultStatus.FAILED.name())
        .setParameter("resultWaiting", ResultStatus.names(ResultStatus.WAITING))
        .setParameter("pendingSince", now.minus(config.pendingAfter()))
        .setParameter("runningSince", now.minus(config.runningAfter()))
        .setParameter("now", now)
        // Leases expire on the database clock, where they were set.
        .setParameter("leaseGrace", config.leaseGrace().toMillis() / 1000.0)
        .setParameter(
            "overdueSince", now.minus(poll.interval().multipliedBy(config.overdueIntervals())))
        .setParameter("failingChecks", config.failingChecks())
        .setParameter("resultSince", now.minus(config.resultPendingAfter()));
  }
}
