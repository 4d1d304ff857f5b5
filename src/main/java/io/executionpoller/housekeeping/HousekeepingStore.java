package io.executionpoller.housekeeping;

import static io.executionpoller.db.NativeColumns.instant;
import static io.executionpoller.db.NativeColumns.integer;

import io.executionpoller.db.StoredText;
import io.executionpoller.execution.EventRows;
import io.executionpoller.execution.EventType;
import io.executionpoller.execution.ExecutionStatus;
import io.executionpoller.execution.RuntimeLimit;
import io.executionpoller.failure.ErrorType;
import io.executionpoller.notify.DeliveryStatus;
import io.executionpoller.remote.RemoteTarget;
import io.executionpoller.results.ResultStatus;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * The housekeeping SQL, as Hibernate Reactive native statements run in the caller's session or
 * transaction (Housekeeping opens one per step). Every delete is one batch, so no statement holds
 * locks for long. Lease expiry is compared on the database clock ({@code now()}), where the leases
 * were set: a replica whose clock runs ahead must not take a lease for expired while its holder
 * still works.
 */
@ApplicationScoped
class HousekeepingStore {

  private static final String REAP_EXECUTION_LEASES =
      """
      UPDATE workflow_executions SET lease_owner = NULL, lease_expires_at = NULL
       WHERE lease_owner IS NOT NULL AND lease_expires_at < now() - make_interval(secs => :grace)
      """;

  /**
   * A download whose owner died goes back to PENDING, due at once. Its attempt stays counted: a
   * result whose downloads keep killing their replicas runs out of attempts (results.ResultStore).
   */
  private static final String REAP_RESULT_LEASES =
      """
      UPDATE execution_results
         SET status = :pending, lease_owner = NULL, lease_expires_at = NULL,
             next_attempt_at = :now, updated_at = :now
       WHERE status = :downloading AND lease_expires_at < now() - make_interval(secs => :grace)
      """;

  private static final String DELETE_OLD_EVENTS =
      """
      DELETE FROM execution_events WHERE id IN (
          SELECT v.id FROM execution_events v JOIN workflow_executions e ON e.id = v.execution_id
           WHERE v.occurred_at < :before AND e.status = ANY(:statuses)
           LIMIT :batch)
      """;

  /** Deliveries that ended before :before: when delivered, or the last attempt of a dead one. */
  private static final String DELETE_OLD_DELIVERIES =
      """
      DELETE FROM webhook_deliveries WHERE id IN (
          SELECT id FROM webhook_deliveries
           WHERE status = ANY(:statuses)
             AND COALESCE(delivered_at, last_attempt_at, created_at) < :before
           LIMIT :batch)
      """;

  /**
   * Sightings of finished executions: a finished execution is in no stuck list again, so its
   * sightings no longer keep a notification from repeating. An active one keeps them however old.
   */
  private static final String DELETE_OLD_SIGHTINGS =
      """
      DELETE FROM execution_stuck_sightings WHERE (execution_id, reason) IN (
          SELECT s.execution_id, s.reason FROM execution_stuck_sightings s
            JOIN workflow_executions e ON e.id = s.execution_id
           WHERE s.first_seen_at < :before AND e.status = ANY(:statuses)
           LIMIT :batch)
      """;

  private static final String DELETE_OLD_RESULTS =
      """
      DELETE FROM execution_results WHERE execution_id IN (
          SELECT execution_id FROM execution_results
           WHERE status = ANY(:statuses) AND stored_at < :before LIMIT :batch)
      """;

  /** Idempotency keys past their lifetime (deleted in batches, oldest first). */
  private static final String DELETE_EXPIRED_IDEMPOTENCY_KEYS =
      """
      DELETE FROM execution_idempotency_keys WHERE idempotency_key IN (
          SELECT idempotency_key FROM execution_idempotency_keys
           WHERE expires_at <= :before ORDER BY expires_at LIMIT :batch)
      """;

  /**
   * What the timeout sweep may time out: RUNNING, started at least the grace ago (every runtime
   * limit is positive, so nothing later can be past its limit by the grace), and held by no lease
   * (none, or one expired by the grace on the database clock, like the reaper's). Each row carries
   * what {@link RuntimeLimit} needs; Java decides which are past their limit. Oldest first and
   * bounded, so a tick reads a bounded number of rows however many executions run: the oldest are
   * the first to pass any limit, and the bound leaves room for rows not yet past theirs.
   */
  private static final String SWEEP_CANDIDATES =
      """
      SELECT e.id, e.version, e.started_at, w.max_runtime_seconds, e.remote_timeout_seconds
        FROM workflow_executions e JOIN workflows w ON w.id = e.workflow_id
       WHERE e.status = :running AND e.started_at IS NOT NULL AND e.started_at <= :startedBy
         AND (e.lease_owner IS NULL OR e.lease_expires_at < now() - make_interval(secs => :grace))
       ORDER BY e.started_at
       LIMIT :candidates
      """;

  /** Candidates read per execution a sweep may time out (see {@link #SWEEP_CANDIDATES}). */
  static final int CANDIDATES_PER_TIMEOUT = 10;

  /**
   * Times out the rows the sweep decided on, each only if it is still as it was read (same
   * version), still RUNNING and still held by no lease; a row a check holds locked is skipped. The
   * write records the transition (as the loop would at its next check) and returns what the log
   * line and the metrics need of each.
   */
  private static final String SWEEP_TIME_OUT =
      """
      WITH expired AS (
          SELECT e.id, e.version
            FROM workflow_executions e
            JOIN unnest(CAST(:ids AS uuid[]), CAST(:versions AS bigint[])) AS decided (id, version)
              ON decided.id = e.id AND decided.version = e.version
           WHERE e.status = :running
             AND (e.lease_owner IS NULL OR e.lease_expires_at < now() - make_interval(secs => :grace))
             FOR UPDATE OF e SKIP LOCKED),
      timed_out AS (
          UPDATE workflow_executions e
             SET status = :timeout, completed_at = :at, error_type = :errorType,
                 error_message = :reason,
                 execution_duration =
                   CAST(EXTRACT(EPOCH FROM CAST(:at AS timestamptz) - e.started_at) AS INTEGER),
                 lease_owner = NULL, lease_expires_at = NULL, version = e.version + 1,
                 updated_at = :at
            FROM expired
           WHERE e.id = expired.id AND e.version = expired.version AND e.status = :running
             AND (e.lease_owner IS NULL OR e.lease_expires_at < now() - make_interval(secs => :grace))
          RETURNING e.id, e.retry_count, e.amc_execution_id, e.workflow_id, e.amc_instance_id,
                    e.execution_duration),
      recorded AS (%s)
      SELECT t.id, t.amc_execution_id, t.workflow_id, i.instance_id, t.execution_duration
        FROM timed_out t JOIN amc_instances i ON i.id = t.amc_instance_id
      """
          .formatted(EventRows.insertSelectedFrom("timed_out"));

  /** The status reason, error message and event message of a sweep's timeout. */
  static final String SWEEP_REASON = "runtime limit passed without a check (timeout sweep)";

  private static final String DUE_ORPHANS =
      """
      SELECT o.amc_instance_id, o.amc_execution_id, o.execution_id, o.attempts, i.instance_id,
             i.api_base_url, a.account_id, a.marketplace_id
        FROM remote_orphans o
        JOIN amc_instances i ON i.id = o.amc_instance_id
        JOIN amc_accounts a ON a.id = i.amc_account_id
       WHERE o.settled_at IS NULL AND o.next_attempt_at <= :now
       ORDER BY o.next_attempt_at
       LIMIT :limit
      """;

  private static final String SETTLE_ORPHAN =
      """
      UPDATE remote_orphans SET settled_at = :now, attempts = attempts + 1
       WHERE amc_instance_id = :instance AND amc_execution_id = :remote AND settled_at IS NULL
      """;

  /**
   * The REMOTE_ORPHAN_CANCELLED event of a settled orphan; attempt and remote id come from the
   * execution's row as it stands in this transaction.
   */
  private static final String ORPHAN_TRY_FAILED =
      """
      UPDATE remote_orphans SET attempts = attempts + 1, next_attempt_at = :next, last_error = :error
       WHERE amc_instance_id = :instance AND amc_execution_id = :remote AND settled_at IS NULL
      """;

  /** A run nobody tracks that still has to be cancelled at AMC (see V13). */
  record Orphan(
      long instanceRow, String remoteId, UUID executionId, int attempts, RemoteTarget target) {}

  /** One execution the sweep timed out; {@code ranSeconds} from its start to now. */
  record TimedOut(
      UUID id, String amcExecutionId, UUID workflowId, String instanceId, int ranSeconds) {}

  /** A RUNNING execution the sweep may time out, with the inputs of its runtime limit. */
  record SweepCandidate(
      UUID id,
      long version,
      Instant startedAt,
      Integer workflowMaxSeconds,
      Integer remoteTimeoutSeconds) {

    /**
     * Past its runtime limit by {@code grace} at {@code now}: the limit is RuntimeLimit's, the one
     * the loop applies, and the grace is the loop's turn to end it first.
     */
    boolean pastLimit(Instant now, RuntimeLimit.Defaults defaults, Duration grace) {
      RuntimeLimit limit =
          RuntimeLimit.of(workflowMaxSeconds, null, remoteTimeoutSeconds, defaults);
      return Duration.between(startedAt, now).compareTo(limit.max().plus(grace)) >= 0;
    }
  }

  /** Up to {@code limit} orphaned runs whose next cancel is due at {@code now}. */
  Uni<List<Orphan>> dueOrphans(Instant now, int limit) {
    return session()
        .chain(
            session ->
                session
                    .createNativeQuery(DUE_ORPHANS, Object[].class)
                    .setParameter("now", now)
                    .setParameter("limit", limit)
                    .getResultList())
        .map(rows -> rows.stream().map(HousekeepingStore::orphan).toList());
  }

  private static Orphan orphan(Object[] row) {
    return new Orphan(
        ((Number) row[0]).longValue(),
        (String) row[1],
        (UUID) row[2],
        integer(row[3]),
        new RemoteTarget((String) row[4], (String) row[6], (String) row[7], (String) row[5]));
  }

  /** The run was cancelled (or ended) at AMC: recorded with its event, once. */
  Uni<Void> settleOrphan(Orphan orphan, Instant now, String message, String replica) {
    return session()
        .chain(
            session ->
                session
                    .createNativeQuery(SETTLE_ORPHAN)
                    .setParameter("now", now)
                    .setParameter("instance", orphan.instanceRow())
                    .setParameter("remote", orphan.remoteId())
                    .executeUpdate()
                    .chain(
                        settled ->
                            settled == 1
                                ? recordOrphanCancelled(session, orphan, now, message, replica)
                                : Uni.createFrom().voidItem()));
  }

  private static Uni<Void> recordOrphanCancelled(
      Mutiny.Session session, Orphan orphan, Instant now, String message, String replica) {
    return EventRows.insert(
        session, orphan.executionId(), now, EventType.REMOTE_ORPHAN_CANCELLED, message, replica);
  }

  /** This try failed: the next one is due at {@code next}. */
  Uni<Integer> orphanTryFailed(Orphan orphan, Instant next, String error) {
    return session()
        .chain(
            session ->
                session
                    .createNativeQuery(ORPHAN_TRY_FAILED)
                    .setParameter("next", next)
                    .setParameter("error", StoredText.of(error))
                    .setParameter("instance", orphan.instanceRow())
                    .setParameter("remote", orphan.remoteId())
                    .executeUpdate());
  }

  /**
   * Clears leases expired more than {@code grace} ago (database clock); a download comes back due
   * at {@code now}. Returns executions and results released.
   */
  Uni<int[]> reapLeases(Duration grace, Instant now) {
    return session()
        .chain(
            session ->
                session
                    .createNativeQuery(REAP_EXECUTION_LEASES)
                    .setParameter("grace", seconds(grace))
                    .executeUpdate()
                    .chain(
                        executions ->
                            session
                                .createNativeQuery(REAP_RESULT_LEASES)
                                .setParameter("pending", ResultStatus.PENDING.name())
                                .setParameter("now", now)
                                .setParameter("downloading", ResultStatus.DOWNLOADING.name())
                                .setParameter("grace", seconds(grace))
                                .executeUpdate()
                                .map(results -> new int[] {executions, results})));
  }

  /**
   * Times out executions no check reaches, {@code grace} past their runtime limit, at most {@code
   * batch} (longest-running first); returns them. Reads the candidates, decides each with {@link
   * RuntimeLimit}, then writes the decided ones with the guarded statement; run it in one
   * transaction.
   */
  Uni<List<TimedOut>> sweepTimeouts(
      Instant now, RuntimeLimit.Defaults defaults, Duration grace, int batch, String replica) {
    return sweepCandidates(now, grace, batch * CANDIDATES_PER_TIMEOUT)
        .map(
            candidates ->
                candidates.stream()
                    .filter(candidate -> candidate.pastLimit(now, defaults, grace))
                    .sorted(Comparator.comparing(SweepCandidate::startedAt))
                    .limit(batch)
                    .toList())
        .chain(expired -> timeOut(expired, now, grace, replica));
  }

  /** The sweep's candidates at {@code now}, not yet decided. */
  Uni<List<SweepCandidate>> sweepCandidates(Instant now, Duration grace, int limit) {
    return session()
        .chain(
            session ->
                session
                    .createNativeQuery(SWEEP_CANDIDATES, Object[].class)
                    .setParameter("running", ExecutionStatus.RUNNING.name())
                    .setParameter("startedBy", now.minus(grace))
                    .setParameter("grace", seconds(grace))
                    .setParameter("candidates", limit)
                    .getResultList())
        .map(
            rows ->
                rows.stream()
                    .map(
                        row ->
                            new SweepCandidate(
                                (UUID) row[0],
                                ((Number) row[1]).longValue(),
                                instant(row[2]),
                                integer(row[3]),
                                integer(row[4])))
                    .toList());
  }

  /** Times out the decided candidates that are still as the sweep read them; returns those. */
  Uni<List<TimedOut>> timeOut(
      List<SweepCandidate> expired, Instant now, Duration grace, String replica) {
    if (expired.isEmpty()) {
      return Uni.createFrom().item(List.of());
    }
    String running = ExecutionStatus.RUNNING.name();
    return session()
        .chain(
            session ->
                EventRows.bindSelected(
                        session
                            .createNativeQuery(SWEEP_TIME_OUT, Object[].class)
                            .setParameter(
                                "ids",
                                expired.stream().map(SweepCandidate::id).toArray(UUID[]::new))
                            .setParameter(
                                "versions",
                                expired.stream().map(SweepCandidate::version).toArray(Long[]::new))
                            .setParameter("running", running)
                            .setParameter("grace", seconds(grace))
                            .setParameter("timeout", ExecutionStatus.TIMEOUT.name())
                            .setParameter("at", now)
                            .setParameter("errorType", ErrorType.TIMEOUT_ERROR.name())
                            .setParameter("reason", SWEEP_REASON),
                        now,
                        EventType.TRANSITION,
                        ExecutionStatus.RUNNING,
                        ExecutionStatus.TIMEOUT,
                        SWEEP_REASON,
                        replica)
                    .getResultList())
        .map(
            rows ->
                rows.stream()
                    .map(
                        row ->
                            new TimedOut(
                                (UUID) row[0],
                                (String) row[1],
                                (UUID) row[2],
                                (String) row[3],
                                integer(row[4])))
                    .toList());
  }

  /** Deletes one batch of delivered or dead webhook deliveries that ended before {@code before}. */
  Uni<Integer> deleteDeliveriesBefore(Instant before, int batch) {
    return deleteBatch(
        DELETE_OLD_DELIVERIES,
        before,
        batch,
        new String[] {DeliveryStatus.DELIVERED.name(), DeliveryStatus.DEAD.name()});
  }

  /**
   * Deletes one batch of stuck sightings of finished executions first seen before {@code before}.
   */
  Uni<Integer> deleteSightingsBefore(Instant before, int batch) {
    return deleteBatch(
        DELETE_OLD_SIGHTINGS, before, batch, ExecutionStatus.names(ExecutionStatus.TERMINAL));
  }

  /** Deletes one batch of events of finished executions older than {@code before}. */
  Uni<Integer> deleteEventsBefore(Instant before, int batch) {
    return deleteBatch(
        DELETE_OLD_EVENTS, before, batch, ExecutionStatus.names(ExecutionStatus.TERMINAL));
  }

  /**
   * Deletes one batch of stored results (with their files and segments) older than {@code before}.
   */
  Uni<Integer> deleteResultsBefore(Instant before, int batch) {
    return deleteBatch(
        DELETE_OLD_RESULTS, before, batch, new String[] {ResultStatus.STORED.name()});
  }

  /** Deletes one batch of Idempotency-Keys expired at {@code now}. */
  Uni<Integer> deleteExpiredIdempotencyKeys(Instant now, int batch) {
    return deleteBatch(DELETE_EXPIRED_IDEMPOTENCY_KEYS, now, batch, null);
  }

  /**
   * One batch of a retention delete: at most :batch rows older than :before, of the statuses bound
   * as :statuses when the statement has a status set (null when it has none).
   */
  private static Uni<Integer> deleteBatch(
      String statement, Instant before, int batch, String[] statuses) {
    return session()
        .chain(
            session -> {
              var delete =
                  session
                      .createNativeQuery(statement)
                      .setParameter("before", before)
                      .setParameter("batch", batch);
              if (statuses != null) {
                delete.setParameter("statuses", statuses);
              }
              return delete.executeUpdate();
            });
  }

  private static Uni<Mutiny.Session> session() {
    return Panache.getSession();
  }

  private static double seconds(Duration duration) {
    return duration.toMillis() / 1000.0;
  }
}
