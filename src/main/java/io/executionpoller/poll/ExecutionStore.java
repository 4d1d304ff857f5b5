package io.executionpoller.poll;

import io.executionpoller.admission.Admission;
import io.executionpoller.admission.Hold;
import io.executionpoller.admission.QueuedReason;
import io.executionpoller.db.StoredText;
import io.executionpoller.execution.EventRows;
import io.executionpoller.execution.EventType;
import io.executionpoller.execution.ExecutionStatus;
import io.executionpoller.execution.NewEvent;
import io.executionpoller.execution.TimeWindow;
import io.executionpoller.execution.WorkflowExecution;
import io.executionpoller.remote.AmcConfig;
import io.executionpoller.remote.RemoteTarget;
import io.executionpoller.results.ResultDelivery;
import io.executionpoller.results.ResultStatus;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The poll loop's SQL. Claims take leases with FOR UPDATE SKIP LOCKED; every write is guarded by
 * the expected status, version and lease owner, so a stale writer changes nothing. Unchanged checks
 * are rescheduled in one statement per batch.
 *
 * <p>Lease expiry is set and compared on the database clock ({@code now()}), never on a replica's:
 * replicas whose clocks differ must not take each other's leases early. Due times ({@code
 * next_poll_at}) stay on the injected clock, which wrote them, so tests move them by moving it.
 */
@ApplicationScoped
public class ExecutionStore {

  /** The active statuses in the statement text: see {@link ExecutionStatus#ACTIVE_SQL_LIST}. */
  static final String ACTIVE = ExecutionStatus.ACTIVE_SQL_LIST;

  /**
   * Claims due executions fairly across instances, reading on the order of the batch whatever the
   * number of instances or of finished rows. The instances served are found by walking the active
   * rows' index on (instance, next check) from where this replica's previous claim stopped ($6),
   * one index probe per instance with active work, wrapping round once, until the batch has an
   * instance per row or four probes per row have been spent; the instance whose due work has waited
   * longest (one probe of the due index) is always served besides. Each instance served offers its
   * share of four times the batch, and the batch takes the offers round-robin, first turn of every
   * instance before anyone's second. An instance with 10,000 due rows therefore offers no more than
   * one with ten, every instance with due work is served within one turn of the walk, and the
   * oldest work is never left behind a rotation. Rows are then locked with SKIP LOCKED, re-checked
   * and cut to the batch: two replicas never claim the same row, and one that meets the other's
   * locks still fills its batch from the spare offers. Offered rows are found again by their row
   * address (ctid), not by a second index search; a row updated since is left to the next claim.
   *
   * <p>The statement always returns a row: {@code candidates} counts the rows offered, and an empty
   * claim (id null) with candidates says they were all locked by another claim in flight, not that
   * nothing is due. {@code walked_to} is the instance the walk stopped at: the next claim starts
   * after it.
   */
  static final String CLAIM =
      """
      WITH RECURSIVE
      oldest AS (
          SELECT e.amc_instance_id AS instance_id FROM workflow_executions e
           WHERE e.status IN (%2$s)
             AND e.next_poll_at <= $1
             AND (e.lease_owner IS NULL OR e.lease_expires_at <= now())
             AND %1$s
           ORDER BY e.next_poll_at
           LIMIT 1),
      walk AS (
          SELECT n.instance_id, n.head, n.wrapped, 1 AS visited,
                 (n.head <= $1 AND n.instance_id IS DISTINCT FROM
                      (SELECT instance_id FROM oldest))::int AS found
            FROM (SELECT $6::bigint AS instance_id, false AS wrapped) w
           CROSS JOIN LATERAL (%3$s) n
          UNION ALL
          SELECT n.instance_id, n.head, n.wrapped, w.visited + 1,
                 w.found + (n.head <= $1 AND n.instance_id IS DISTINCT FROM
                                (SELECT instance_id FROM oldest))::int
            FROM walk w
           CROSS JOIN LATERAL (%3$s) n
           WHERE w.found < $2 - 1 AND w.visited < $2 * 4
             AND NOT (n.wrapped AND n.instance_id > $6)),
      heads AS (
          SELECT instance_id FROM oldest
          UNION
          SELECT instance_id FROM walk WHERE head <= $1),
      share AS (
          SELECT ceil($2 * 4.0 / greatest(count(*), 1))::int AS offers FROM heads),
      offered AS (
          SELECT c.ctid AS row_at, c.next_poll_at,
                 row_number() OVER (PARTITION BY h.instance_id ORDER BY c.next_poll_at) AS turn
            FROM heads h
           CROSS JOIN share s
           CROSS JOIN LATERAL (
                 SELECT e.ctid, e.next_poll_at FROM workflow_executions e
                  WHERE e.amc_instance_id = h.instance_id
                    AND e.status IN (%2$s)
                    AND e.next_poll_at <= $1
                    AND (e.lease_owner IS NULL OR e.lease_expires_at <= now())
                    AND %1$s
                  ORDER BY e.next_poll_at
                  LIMIT s.offers) c),
      picked AS (
          SELECT row_at, turn, next_poll_at FROM offered ORDER BY turn, next_poll_at LIMIT $2 * 4),
      due AS (
          SELECT e.ctid AS row_at FROM workflow_executions e JOIN picked ON picked.row_at = e.ctid
           WHERE e.status IN (%2$s)
             AND e.next_poll_at <= $1
             AND (e.lease_owner IS NULL OR e.lease_expires_at <= now())
             AND %1$s
           ORDER BY picked.turn, picked.next_poll_at
           LIMIT $2
             FOR UPDATE OF e SKIP LOCKED),
      claimed AS (
          UPDATE workflow_executions e
             SET lease_owner = $3, lease_expires_at = now() + make_interval(secs => $4),
                 version = e.version + 1
            FROM due, workflows w, amc_instances i, amc_accounts a
           WHERE e.ctid = due.row_at AND w.id = e.workflow_id
             AND i.id = w.amc_instance_id AND a.id = i.amc_account_id
          RETURNING e.id, e.workflow_id, e.version, e.status, e.remote_status, e.amc_execution_id,
                    e.retry_count, e.consecutive_poll_errors, e.started_at, e.submit_attempted_at,
                    e.parameters, e.time_window, e.remote_timeout_seconds,
                    e.long_execution_warned_at, e.traceparent, w.max_runtime_seconds,
                    w.warning_threshold_seconds, w.amc_workflow_id, w.sql_query, i.instance_id,
                    i.api_base_url, a.account_id, a.marketplace_id)
      SELECT o.candidates, (SELECT instance_id FROM walk ORDER BY visited DESC LIMIT 1) AS walked_to,
             claimed.*
        FROM (SELECT count(*) AS candidates FROM picked) o
        LEFT JOIN claimed ON true
      """
          .formatted(createSettled("$1", "$5"), ACTIVE, nextInstance("w.instance_id", "w.wrapped"));

  /**
   * One step of the claim's walk over instances: the first active row (by instance, then next
   * check) of an instance after {@code after}, or, when none is left and the walk has not wrapped
   * yet, of the first instance. Its next check says whether the instance has work due. One probe of
   * the (instance, next check) index: rows leased to a check in flight are stepped over, so an
   * instance whose due rows are all in flight is not counted as one to serve.
   */
  private static String nextInstance(String after, String wrapped) {
    String firstActive =
        """
        SELECT e.amc_instance_id AS instance_id, e.next_poll_at AS head, %s AS wrapped
          FROM workflow_executions e
         WHERE e.status IN (%s) AND (e.lease_owner IS NULL OR e.lease_expires_at <= now())
               %s
         ORDER BY e.amc_instance_id, e.next_poll_at
         LIMIT 1""";
    return "("
        + firstActive.formatted(wrapped, ACTIVE, "AND e.amc_instance_id > " + after)
        + ") UNION ALL ("
        + firstActive.formatted("true", ACTIVE, "AND NOT " + wrapped)
        + ") LIMIT 1";
  }

  /**
   * True when a row's create, if it sent one, can no longer be on the wire or missing from a
   * listing at {@code now}: it has a remote id, no attempt, or its attempt is {@code settle}
   * seconds old. The release and write paths already make such a row due only then, but a row can
   * become due by other ways (the lease of a replica that died mid-create expires; an operator asks
   * for a check now), and claiming it early would list too soon, miss the run and create a second
   * one.
   */
  private static String createSettled(String now, String settle) {
    return "(e.amc_execution_id IS NOT NULL OR e.submit_attempted_at IS NULL"
        + " OR e.submit_attempted_at <= "
        + now
        + " - make_interval(secs => "
        + settle
        + "))";
  }

  /**
   * The next check time {@code next}, but not before a create that may still be on the wire (its
   * attempt written, no remote id {@code remoteId}) has either landed at AMC and shown in a
   * listing, or died: {@code settle} seconds after the attempt (CreateSettleWindow). Whoever checks
   * the row next then finds that execution by listing and adopts it, instead of creating a second
   * one. A replica that dies mid-create leaves the row to its lease expiry, and the claim itself
   * waits for the settle window too (createSettled).
   */
  private static String notBeforeCreateSettles(String next, String remoteId, String settle) {
    return "CASE WHEN "
        + remoteId
        + " IS NULL AND submit_attempted_at IS NOT NULL THEN GREATEST("
        + next
        + ", submit_attempted_at + make_interval(secs => "
        + settle
        + ")) ELSE "
        + next
        + " END";
  }

  /** Deferred checks: a new time and the lease back, nothing counted. */
  private static final String DEFER =
      """
      UPDATE workflow_executions e
         SET next_poll_at = u.next_poll_at, lease_owner = NULL, lease_expires_at = NULL,
             submit_attempted_at = CASE WHEN u.forget THEN NULL ELSE e.submit_attempted_at END,
             version = e.version + 1, updated_at = $2
        FROM unnest($3::uuid[], $4::bigint[], $5::text[], $6::timestamptz[], $7::boolean[])
             AS u(id, version, status, next_poll_at, forget)
       WHERE e.id = u.id AND e.version = u.version AND e.status = u.status AND e.lease_owner = $1
      """;

  /**
   * Every lease an owner holds, handed back on shutdown; the version moves on, so a check of that
   * owner still in flight cannot write its outcome afterwards. A create still in flight keeps its
   * row from being due until it has settled.
   */
  private static final String RELEASE_ALL =
      """
      UPDATE workflow_executions
         SET lease_owner = NULL, lease_expires_at = NULL, version = version + 1, updated_at = $2,
             next_poll_at = %s
       WHERE lease_owner = $1
      """
          .formatted(notBeforeCreateSettles("next_poll_at", "amc_execution_id", "$3"));

  /** Hands a claim back untouched but for the lease and the next check time. */
  private static final String RELEASE =
      """
      UPDATE workflow_executions
         SET lease_owner = NULL, lease_expires_at = NULL, next_poll_at = %s,
             version = version + 1, updated_at = now()
       WHERE id = $1 AND version = $2 AND status = $3 AND lease_owner = $4
      """
          .formatted(notBeforeCreateSettles("$5", "amc_execution_id", "$6"));

  /** RETRY: back to PENDING without a remote id, one retry more, due at the retry time. */
  private static final String RESUBMIT =
      """
      UPDATE workflow_executions
         SET status = $9, amc_execution_id = NULL, remote_status = NULL,
             status_reason = NULL, submit_attempted_at = NULL, submitted_at = NULL,
             started_at = NULL, long_execution_warned_at = NULL, remote_expire_time = NULL,
             remote_timeout_seconds = NULL, execution_duration = NULL,
             retry_count = retry_count + 1,
             next_retry_at = $5,
             next_poll_at = $5, consecutive_poll_errors = 0, last_error = $6, last_error_at = $7,
             error_type = $8, last_polled_at = $7, poll_count = poll_count + 1,
             lease_owner = NULL, lease_expires_at = NULL, version = version + 1, updated_at = $7
       WHERE id = $1 AND version = $2 AND status = $3 AND lease_owner = $4
      """;

  /**
   * Of the candidate remote ids, those no row of this execution's AMC instance tracks and this
   * execution never had: an execution found by listing may only be adopted if nobody owns it. Per
   * instance, not per workflow: two workflows with the same query on one instance list the same
   * runs.
   */
  private static final String UNTRACKED =
      """
      SELECT c.id FROM unnest($2::text[]) AS c(id)
       WHERE NOT EXISTS (SELECT 1 FROM workflow_executions e
                          WHERE e.amc_instance_id =
                                (SELECT amc_instance_id FROM workflow_executions WHERE id = $1)
                            AND e.amc_execution_id = c.id)
         AND NOT EXISTS (SELECT 1 FROM execution_events ev
                          WHERE ev.execution_id = $1 AND ev.amc_execution_id = c.id)
      """;

  /** Whether some row of this execution's AMC instance (itself included) tracks the remote id. */
  private static final String TRACKED =
      """
      SELECT 1 FROM workflow_executions o
       WHERE o.amc_instance_id = (SELECT amc_instance_id FROM workflow_executions WHERE id = $1)
         AND o.amc_execution_id = $2
      """;

  /**
   * Remembers a run nobody tracks before it is cancelled (see V13): housekeeping tries the cancel
   * again from {@code $4} until AMC has cancelled it.
   */
  private static final String RECORD_ORPHAN =
      """
      INSERT INTO remote_orphans (amc_instance_id, amc_execution_id, execution_id, found_at,
                                  next_attempt_at)
      SELECT amc_instance_id, $2, id, $3, $4 FROM workflow_executions WHERE id = $1
      ON CONFLICT DO NOTHING
      """;

  private static final String ORPHAN_SETTLED =
      """
      UPDATE remote_orphans SET settled_at = $3
       WHERE amc_instance_id = (SELECT amc_instance_id FROM workflow_executions WHERE id = $1)
         AND amc_execution_id = $2 AND settled_at IS NULL
      """;

  /**
   * How long housekeeping leaves an orphan to the loop's own cancel, sent at once, before it tries.
   */
  private static final Duration ORPHAN_RETRY_AFTER = Duration.ofMinutes(1);

  /**
   * Gives a PENDING execution without a remote id a run found for it outside a check (an operator's
   * cancel past its settle window, or a create answered after the row moved on), unless another row
   * of the instance tracks that run; with $6, only at that version. Due at once, lease dropped: the
   * version moves on, so a check in flight cannot write over it.
   */
  private static final String ADOPT =
      """
      UPDATE workflow_executions e
         SET amc_execution_id = $3, remote_status = $4, submitted_at = COALESCE(submitted_at, $5),
             consecutive_poll_errors = 0, next_poll_at = $5, lease_owner = NULL,
             lease_expires_at = NULL, version = version + 1, updated_at = $5
       WHERE id = $1 AND status = $2 AND amc_execution_id IS NULL
         AND ($6::bigint IS NULL OR version = $6)
         AND NOT EXISTS (SELECT 1 FROM workflow_executions o
                          WHERE o.amc_instance_id = e.amc_instance_id AND o.amc_execution_id = $3)
      """;

  /** One execution as a claim returns it, without claiming it. */
  private static final String LOAD =
      """
      SELECT e.id, e.workflow_id, e.version, e.lease_expires_at, e.status, e.remote_status,
             e.amc_execution_id, e.retry_count, e.consecutive_poll_errors, e.started_at,
             e.submit_attempted_at, e.parameters, e.time_window, e.remote_timeout_seconds,
             e.long_execution_warned_at, e.traceparent, w.max_runtime_seconds,
             w.warning_threshold_seconds, w.amc_workflow_id, w.sql_query, i.instance_id,
             i.api_base_url, a.account_id, a.marketplace_id
        FROM workflow_executions e
        JOIN workflows w ON w.id = e.workflow_id
        JOIN amc_instances i ON i.id = w.amc_instance_id
        JOIN amc_accounts a ON a.id = i.amc_account_id
       WHERE e.id = $1
      """;

  private static final String RESCHEDULE =
      """
      UPDATE workflow_executions e
         SET remote_status = u.remote_status, next_poll_at = u.next_poll_at, last_polled_at = $2,
             poll_count = e.poll_count + 1, consecutive_poll_errors = 0,
             lease_owner = NULL, lease_expires_at = NULL, version = e.version + 1, updated_at = $2
        FROM unnest($3::uuid[], $4::bigint[], $5::text[], $6::text[], $7::timestamptz[])
             AS u(id, version, status, remote_status, next_poll_at)
       WHERE e.id = u.id AND e.version = u.version AND e.status = u.status AND e.lease_owner = $1
      """;

  private static final String MARK_SUBMIT_ATTEMPT =
      """
      UPDATE workflow_executions
         SET submit_attempted_at = $5, queued_reason = NULL, version = version + 1,
             updated_at = $5
       WHERE id = $1 AND version = $2 AND status = $3 AND lease_owner = $4
      RETURNING version
      """;

  /**
   * A submission held back by admission (or by AMC's quota answer, $7 then forgetting the refused
   * attempt): waits locally, with its reason, until $6; the lease goes back and nothing counts
   * against it, neither as a failed check nor as a retry.
   */
  private static final String QUEUE =
      """
      UPDATE workflow_executions
         SET queued_reason = $5, next_poll_at = $6,
             submit_attempted_at = CASE WHEN $7 THEN NULL ELSE submit_attempted_at END,
             lease_owner = NULL, lease_expires_at = NULL, version = version + 1, updated_at = $8
       WHERE id = $1 AND version = $2 AND status = $3 AND lease_owner = $4
      """;

  /**
   * One check's update, guarded by $1..$4 (id, version, status, lease owner). Each group of columns
   * says how it takes its value; WritePlan.Update fills the parameters in the same groups.
   */
  private static final String UPDATE =
      """
      UPDATE workflow_executions
         SET -- set to the value given, null included:
             status = $5, remote_status = $6, completed_at = $7, consecutive_poll_errors = $8,
             next_poll_at = %s,
             -- set when given; null keeps the stored value:
             amc_execution_id = COALESCE($10, amc_execution_id),
             status_reason = COALESCE($11, status_reason),
             remote_expire_time = COALESCE($12, remote_expire_time),
             remote_timeout_seconds = COALESCE($13, remote_timeout_seconds),
             execution_duration = COALESCE($14, execution_duration),
             last_error = COALESCE($15, last_error),
             last_error_at = COALESCE($16, last_error_at),
             error_type = COALESCE($17, error_type),
             error_message = COALESCE($18, error_message),
             -- set once: a stored value is kept whatever is given:
             submitted_at = COALESCE(submitted_at, $19), started_at = COALESCE(started_at, $20),
             -- set to now when $21 (a LONG_EXECUTION warning), else kept:
             long_execution_warned_at = CASE WHEN $21 THEN $22 ELSE long_execution_warned_at END,
             -- the check's own bookkeeping, $22 being now:
             last_polled_at = $22, poll_count = poll_count + 1, lease_owner = NULL,
             lease_expires_at = NULL, version = version + 1, updated_at = $22
       WHERE id = $1 AND version = $2 AND status = $3 AND lease_owner = $4
      """
          .formatted(notBeforeCreateSettles("$9", "COALESCE($10, amc_execution_id)", "$23"));

  /**
   * A batch of checks' updates in one statement, each row guarded as UPDATE guards one (id,
   * version, status, lease owner), with the events of the rows written and the download step of the
   * rows that succeeded: a row that moved on is a lost write and gets neither. $1 owner, $2 now, $3
   * the create settle window, $4 SUCCESS, $5 the new result's status; then one array per column of
   * UPDATE from $6 (updateBatchParams), the events' arrays from $26, and from $34 how each
   * succeeded row's download step opens (its output channels: status, reason, PUBLISH location).
   */
  private static final String UPDATE_BATCH =
      """
      WITH u AS (
          SELECT * FROM unnest($6::uuid[], $7::bigint[], $8::text[], $9::text[], $10::text[],
                               $11::timestamptz[], $12::int[], $13::timestamptz[], $14::text[],
                               $15::text[], $16::timestamptz[], $17::int[], $18::int[],
                               $19::text[], $20::timestamptz[], $21::text[], $22::text[],
                               $23::timestamptz[], $24::timestamptz[], $25::boolean[])
                 AS u(id, version, status, new_status, remote_status, completed_at,
                      errors_in_a_row, next_poll_at, amc_execution_id, status_reason,
                      expire_time, timeout_seconds, duration, last_error, last_error_at,
                      error_type, error_message, submitted_at, started_at, warns)),
      applied AS (
          UPDATE workflow_executions e
             SET status = u.new_status, remote_status = u.remote_status,
                 completed_at = u.completed_at, consecutive_poll_errors = u.errors_in_a_row,
                 next_poll_at = %s,
                 amc_execution_id = COALESCE(u.amc_execution_id, e.amc_execution_id),
                 status_reason = COALESCE(u.status_reason, e.status_reason),
                 remote_expire_time = COALESCE(u.expire_time, e.remote_expire_time),
                 remote_timeout_seconds = COALESCE(u.timeout_seconds, e.remote_timeout_seconds),
                 execution_duration = COALESCE(u.duration, e.execution_duration),
                 last_error = COALESCE(u.last_error, e.last_error),
                 last_error_at = COALESCE(u.last_error_at, e.last_error_at),
                 error_type = COALESCE(u.error_type, e.error_type),
                 error_message = COALESCE(u.error_message, e.error_message),
                 submitted_at = COALESCE(e.submitted_at, u.submitted_at),
                 started_at = COALESCE(e.started_at, u.started_at),
                 long_execution_warned_at =
                     CASE WHEN u.warns THEN $2 ELSE e.long_execution_warned_at END,
                 last_polled_at = $2, poll_count = e.poll_count + 1, lease_owner = NULL,
                 lease_expires_at = NULL, version = e.version + 1, updated_at = $2
            FROM u
           WHERE e.id = u.id AND e.version = u.version AND e.status = u.status
             AND e.lease_owner = $1
          RETURNING e.id, e.status),
      events AS (%s),
      results AS (
          INSERT INTO execution_results (execution_id, status, next_attempt_at, created_at,
                                         updated_at, last_error, last_error_at, output_s3_uri)
          SELECT a.id, COALESCE(r.status, $5), $2, $2, $2, r.reason,
                 CASE WHEN r.reason IS NULL THEN NULL ELSE $2::timestamptz END, r.s3_uri
            FROM applied a
            JOIN unnest($6::uuid[], $34::text[], $35::text[], $36::text[])
                 AS r(id, status, reason, s3_uri) ON r.id = a.id
           WHERE a.status = $4
          ON CONFLICT (execution_id) DO NOTHING)
      SELECT id FROM applied
      """
          .formatted(
              notBeforeCreateSettles(
                  "u.next_poll_at", "COALESCE(u.amc_execution_id, e.amc_execution_id)", "$3"),
              EventRows.insertBatchFor("applied", "$2", "$1", 26));

  /**
   * $3 PENDING, or UNDELIVERABLE with AMC's reason $4 when its output channels say there is nothing
   * to download; $5 a PUBLISH channel's S3 location.
   */
  private static final String OPEN_RESULT =
      """
      INSERT INTO execution_results (execution_id, status, next_attempt_at, created_at, updated_at,
                                     last_error, last_error_at, output_s3_uri)
      VALUES ($1, $3, $2::timestamptz, $2, $2, $4::text,
              CASE WHEN $4::text IS NULL THEN NULL ELSE $2::timestamptz END, $5)
      ON CONFLICT (execution_id) DO NOTHING
      """;

  private static final String INSERT_EVENTS = EventRows.INSERT_BATCH;

  private final Pool pool;
  private final LoopMetrics metrics;
  private final Admission admission;

  /** Seconds after a create attempt before its row may be checked again (see above). */
  private final double createSettleSeconds;

  ExecutionStore(
      Pool pool, LoopMetrics metrics, AmcConfig amc, PollConfig poll, Admission admission) {
    this.pool = pool;
    this.metrics = metrics;
    this.admission = admission;
    this.createSettleSeconds = seconds(CreateSettleWindow.of(amc, poll));
  }

  /**
   * The instance this replica's last claim walked to; the next claim walks on from it, so every
   * instance with due work is served in turn. Claims in flight at once may start from the same
   * place: they then offer the same instances, and SKIP LOCKED shares the rows between them.
   */
  private final AtomicLong walkedTo = new AtomicLong();

  /**
   * Claims up to {@code limit} executions due at {@code now} for {@code owner}, each for {@code
   * lease} from the database's now. A claim's {@link ClaimedExecution#leaseExpiresAt} is on this
   * replica's clock ({@code now + lease}): a little before the database's expiry, never after.
   */
  public Uni<List<ClaimedExecution>> claim(String owner, Instant now, Duration lease, int limit) {
    return claimBatch(owner, now, lease, limit).map(Claim::executions);
  }

  /**
   * A claim as {@link #claim}, saying also whether an empty one met only rows that another claim in
   * flight had locked.
   */
  Uni<Claim> claimBatch(String owner, Instant now, Duration lease, int limit) {
    Instant leaseEnds = now.plus(lease);
    Tuple params =
        Tuple.of(odt(now), limit, owner, seconds(lease), createSettleSeconds)
            .addLong(walkedTo.get());
    return execute(pool, "claim", CLAIM, params).map(rows -> claimOf(rows, leaseEnds));
  }

  private Claim claimOf(RowSet<Row> rows, Instant leaseEnds) {
    boolean offered = false;
    if (rows.iterator().hasNext()) {
      Row first = rows.iterator().next();
      offered = first.getLong("candidates") > 0;
      Long walked = first.getLong("walked_to");
      if (walked != null) {
        walkedTo.set(walked);
      }
    }
    return new Claim(toClaims(rows, leaseEnds), offered);
  }

  /**
   * What one claim took; {@code contended} when it took nothing only because every row it was
   * offered was locked by another replica's claim still in flight.
   */
  record Claim(List<ClaimedExecution> executions, boolean offered) {

    boolean contended() {
      return executions.isEmpty() && offered;
    }
  }

  /** Writes a batch of unchanged checks in one statement; returns how many rows were still ours. */
  Uni<Integer> reschedule(String owner, Instant now, List<WritePlan.Reschedule> batch) {
    if (batch.isEmpty()) {
      return Uni.createFrom().item(0);
    }
    Tuple params =
        guardedBatch(owner, now, batch.stream().map(WritePlan::execution).toList())
            .addArrayOfString(
                batch.stream()
                    .map(plan -> StoredText.of(plan.remoteStatus()))
                    .toArray(String[]::new))
            .addArrayOfOffsetDateTime(
                batch.stream().map(plan -> odt(plan.nextPollAt())).toArray(OffsetDateTime[]::new));
    return execute(pool, "reschedule", RESCHEDULE, params).map(RowSet::rowCount);
  }

  /** Writes a batch of deferred checks in one statement; returns how many were still ours. */
  Uni<Integer> defer(String owner, Instant now, List<WritePlan.Defer> batch) {
    if (batch.isEmpty()) {
      return Uni.createFrom().item(0);
    }
    Tuple params =
        guardedBatch(owner, now, batch.stream().map(WritePlan::execution).toList())
            .addArrayOfOffsetDateTime(
                batch.stream().map(plan -> odt(plan.nextPollAt())).toArray(OffsetDateTime[]::new))
            .addArrayOfBoolean(
                batch.stream().map(WritePlan.Defer::forgetSubmitAttempt).toArray(Boolean[]::new));
    return execute(pool, "defer", DEFER, params).map(RowSet::rowCount);
  }

  /** $1 owner, $2 now, then the guard arrays of a batched write: ids, versions, statuses. */
  private static Tuple guardedBatch(String owner, Instant now, List<ClaimedExecution> executions) {
    return Tuple.tuple()
        .addString(owner)
        .addOffsetDateTime(odt(now))
        .addArrayOfUUID(executions.stream().map(ClaimedExecution::id).toArray(UUID[]::new))
        .addArrayOfLong(executions.stream().map(ClaimedExecution::version).toArray(Long[]::new))
        .addArrayOfString(executions.stream().map(e -> e.status().name()).toArray(String[]::new));
  }

  /** Applies a RETRY and its events atomically; false when the row was no longer ours. */
  Uni<Boolean> resubmit(String owner, Instant now, WritePlan.Resubmit plan) {
    ClaimedExecution execution = plan.execution();
    Tuple params =
        Tuple.tuple()
            .addUUID(execution.id())
            .addLong(execution.version())
            .addString(execution.status().name())
            .addString(owner)
            .addOffsetDateTime(odt(plan.nextRetryAt()))
            .addString(StoredText.of(plan.lastError()))
            .addOffsetDateTime(odt(now))
            .addString(plan.errorType().name())
            .addString(ExecutionStatus.PENDING.name());
    return pool.withTransaction(
        connection ->
            execute(connection, "resubmit", RESUBMIT, params)
                .chain(
                    rows ->
                        rows.rowCount() == 1
                            ? insertEvents(
                                    connection,
                                    owner,
                                    now,
                                    execution,
                                    plan.failedAmcExecutionId() != null
                                        ? plan.failedAmcExecutionId()
                                        : execution.amcExecutionId(),
                                    plan.events())
                                .replaceWith(true)
                            : Uni.createFrom().item(false)));
  }

  /** Releases the lease of a claim whose outcome could not be written; false if not ours. */
  Uni<Boolean> releaseLease(
      String owner, Instant now, Instant nextPollAt, ClaimedExecution execution) {
    Tuple params =
        Tuple.of(
            execution.id(),
            execution.version(),
            execution.status().name(),
            owner,
            odt(nextPollAt),
            createSettleSeconds);
    return execute(pool, "release", RELEASE, params).map(rows -> rows.rowCount() == 1);
  }

  /** Releases every lease {@code owner} holds; returns how many. */
  Uni<Integer> releaseAll(String owner, Instant now) {
    return execute(pool, "release", RELEASE_ALL, Tuple.of(owner, odt(now), createSettleSeconds))
        .map(RowSet::rowCount);
  }

  /** Appends one event outside any status change (for example the outcome of a remote cancel). */
  Uni<Void> appendEvent(
      String owner, Instant now, ClaimedExecution execution, String amcId, NewEvent event) {
    return insertEvents(pool, owner, now, execution, amcId, List.of(event)).replaceWithVoid();
  }

  /**
   * Keeps the candidate remote ids that no row of this execution's instance tracks and this one
   * never had.
   */
  Uni<Set<String>> untracked(UUID executionId, List<String> candidates) {
    if (candidates.isEmpty()) {
      return Uni.createFrom().item(Set.of());
    }
    Tuple params =
        Tuple.tuple().addUUID(executionId).addArrayOfString(candidates.toArray(String[]::new));
    return execute(pool, "untracked", UNTRACKED, params)
        .map(
            rows -> {
              Set<String> free = new HashSet<>();
              rows.forEach(row -> free.add(row.getString("id")));
              return free;
            });
  }

  /** The execution as a claim would return it (lease fields as they stand), or null. */
  Uni<ClaimedExecution> load(UUID executionId) {
    return execute(pool, "load", LOAD, Tuple.of(executionId))
        .map(rows -> toClaims(rows).stream().findFirst().orElse(null));
  }

  /** What came of asking to send a create. */
  sealed interface SubmitAttempt {
    /** Admitted: the attempt is on record at this version; send the create. */
    record Marked(long version) implements SubmitAttempt {}

    /** Held back by admission: written as queued, the lease handed back. */
    record Queued(Hold hold) implements SubmitAttempt {}

    /** The row was no longer ours; nothing written. */
    record Lost() implements SubmitAttempt {}
  }

  /**
   * Admission and the attempt in one transaction: admission locks the instance and account, counts
   * and decides; an admitted create's attempt is recorded before the locks go, a held one is
   * queued. A lost claim rolls everything back, the day's ad hoc count included.
   */
  Uni<SubmitAttempt> markSubmitAttempt(String owner, Instant now, ClaimedExecution execution) {
    return pool.withTransaction(
            connection ->
                admission
                    .decide(connection, execution.id(), now)
                    .chain(
                        hold ->
                            hold.isPresent()
                                // Forgets an earlier unanswered attempt: the submit path
                                // reaches admission only once the listing has ruled it out,
                                // and a held row that kept it would count as at AMC and hold
                                // back the others (and they it) for good.
                                ? queue(connection, owner, now, execution, hold.get(), true)
                                : mark(connection, owner, now, execution)))
        .onFailure(LostSubmitAttempt.class::isInstance)
        .recoverWithItem(new SubmitAttempt.Lost());
  }

  /**
   * AMC refused the create for a quota: the instance is held back and the execution queued with the
   * refused attempt forgotten (a refusal created nothing), in one transaction.
   */
  Uni<SubmitAttempt> queueAfterQuotaRefusal(
      String owner, Instant now, ClaimedExecution execution, QueuedReason reason) {
    return pool.withTransaction(
            connection ->
                admission
                    .holdAfterRefusal(connection, execution.id(), reason, now)
                    .chain(hold -> queue(connection, owner, now, execution, hold, true)))
        .onFailure(LostSubmitAttempt.class::isInstance)
        .recoverWithItem(new SubmitAttempt.Lost());
  }

  private Uni<SubmitAttempt> mark(
      SqlClient connection, String owner, Instant now, ClaimedExecution execution) {
    Tuple params =
        Tuple.of(execution.id(), execution.version(), execution.status().name(), owner, odt(now));
    return execute(connection, "mark_submit", MARK_SUBMIT_ATTEMPT, params)
        .map(
            rows -> {
              if (rows.rowCount() != 1) {
                throw new LostSubmitAttempt();
              }
              return new SubmitAttempt.Marked(rows.iterator().next().getLong("version"));
            });
  }

  private Uni<SubmitAttempt> queue(
      SqlClient connection,
      String owner,
      Instant now,
      ClaimedExecution execution,
      Hold hold,
      boolean forgetAttempt) {
    Tuple params =
        Tuple.tuple()
            .addUUID(execution.id())
            .addLong(execution.version())
            .addString(execution.status().name())
            .addString(owner)
            .addString(hold.reason().name())
            .addOffsetDateTime(odt(hold.recheckAt()))
            .addBoolean(forgetAttempt)
            .addOffsetDateTime(odt(now));
    return execute(connection, "queue", QUEUE, params)
        .map(
            rows -> {
              if (rows.rowCount() != 1) {
                throw new LostSubmitAttempt();
              }
              return new SubmitAttempt.Queued(hold);
            });
  }

  /** Rolls an admission's transaction back when the row turned out not to be ours. */
  private static final class LostSubmitAttempt extends RuntimeException {
    LostSubmitAttempt() {
      super("the claim was lost before the submit attempt was recorded", null, false, false);
    }
  }

  /** Applies one update and its events atomically; false when the row was no longer ours. */
  Uni<Boolean> apply(String owner, Instant now, WritePlan.Update plan) {
    return pool.withTransaction(connection -> applyIn(connection, owner, now, plan));
  }

  /**
   * Applies a batch of updates that give no remote id, with their events, in one statement, each
   * row guarded as {@link #apply} guards one; returns the ids of the rows that were still ours.
   */
  Uni<Set<UUID>> applyAll(String owner, Instant now, List<WritePlan.Update> batch) {
    if (batch.isEmpty()) {
      return Uni.createFrom().item(Set.of());
    }
    List<ClaimedExecution> executions = batch.stream().map(WritePlan::execution).toList();
    Tuple params =
        Tuple.tuple()
            .addString(owner)
            .addOffsetDateTime(odt(now))
            .addDouble(createSettleSeconds)
            .addString(ExecutionStatus.SUCCESS.name())
            .addString(ResultStatus.PENDING.name())
            .addArrayOfUUID(executions.stream().map(ClaimedExecution::id).toArray(UUID[]::new))
            .addArrayOfLong(executions.stream().map(ClaimedExecution::version).toArray(Long[]::new))
            .addArrayOfString(
                executions.stream().map(e -> e.status().name()).toArray(String[]::new))
            .addArrayOfString(strings(batch, plan -> plan.newStatus().name()))
            .addArrayOfString(strings(batch, plan -> StoredText.of(plan.remote().status())))
            .addArrayOfOffsetDateTime(times(batch, plan -> plan.times().completedAt()))
            .addArrayOfInteger(
                batch.stream()
                    .map(plan -> plan.errors().checksFailedInARow())
                    .toArray(Integer[]::new))
            .addArrayOfOffsetDateTime(times(batch, WritePlan.Update::nextPollAt))
            .addArrayOfString(strings(batch, plan -> plan.remote().amcExecutionId()))
            .addArrayOfString(strings(batch, plan -> StoredText.of(plan.remote().statusReason())))
            .addArrayOfOffsetDateTime(times(batch, plan -> plan.remote().expireTime()))
            .addArrayOfInteger(integers(batch, plan -> plan.remote().timeoutSeconds()))
            .addArrayOfInteger(integers(batch, plan -> plan.times().durationSeconds()))
            .addArrayOfString(strings(batch, plan -> StoredText.of(plan.errors().lastError())))
            .addArrayOfOffsetDateTime(times(batch, plan -> plan.errors().lastErrorAt()))
            .addArrayOfString(
                strings(
                    batch,
                    plan -> plan.errors().type() == null ? null : plan.errors().type().name()))
            .addArrayOfString(strings(batch, plan -> StoredText.of(plan.errors().message())))
            .addArrayOfOffsetDateTime(times(batch, plan -> plan.times().submittedAt()))
            .addArrayOfOffsetDateTime(times(batch, plan -> plan.times().startedAt()))
            .addArrayOfBoolean(
                batch.stream().map(WritePlan.Update::warnsOfLongExecution).toArray(Boolean[]::new));
    addEventArrays(params, batch);
    List<ResultDelivery> deliveries = batch.stream().map(ExecutionStore::deliveryOf).toList();
    params
        .addArrayOfString(
            deliveries.stream().map(delivery -> delivery.status().name()).toArray(String[]::new))
        .addArrayOfString(
            deliveries.stream()
                .map(delivery -> StoredText.of(delivery.reason()))
                .toArray(String[]::new))
        .addArrayOfString(
            deliveries.stream()
                .map(delivery -> StoredText.of(delivery.outputS3Uri()))
                .toArray(String[]::new));
    return execute(pool, "update_batch", UPDATE_BATCH, params)
        .map(
            rows -> {
              Set<UUID> applied = new HashSet<>();
              rows.forEach(row -> applied.add(row.getUUID("id")));
              return applied;
            });
  }

  /** How a succeeded execution's download step opens: as its output channels say, else PENDING. */
  private static ResultDelivery deliveryOf(WritePlan.Update plan) {
    return plan.remote().delivery() != null
        ? plan.remote().delivery()
        : new ResultDelivery(ResultStatus.PENDING, null, null);
  }

  /**
   * The events a batched update writes: the plan's own, and for a success whose output channels
   * leave nothing to download, the download step's end (the single-row path writes it with the
   * step).
   */
  private static List<NewEvent> eventsOf(WritePlan.Update plan) {
    ResultDelivery delivery = deliveryOf(plan);
    if (plan.newStatus() != ExecutionStatus.SUCCESS
        || delivery.status() != ResultStatus.UNDELIVERABLE) {
      return plan.events();
    }
    List<NewEvent> events = new ArrayList<>(plan.events());
    events.add(new NewEvent(EventType.RESULT_UNDELIVERABLE, null, null, null, delivery.reason()));
    return events;
  }

  /** The events of a batch, one array per column, the executions' events in their order. */
  private static void addEventArrays(Tuple params, List<WritePlan.Update> batch) {
    List<UUID> executions = new ArrayList<>();
    List<Integer> attempts = new ArrayList<>();
    List<String> remoteIds = new ArrayList<>();
    List<String> types = new ArrayList<>();
    List<String> froms = new ArrayList<>();
    List<String> tos = new ArrayList<>();
    List<String> remotes = new ArrayList<>();
    List<String> messages = new ArrayList<>();
    for (WritePlan.Update plan : batch) {
      for (NewEvent event : eventsOf(plan)) {
        executions.add(plan.execution().id());
        attempts.add(plan.execution().retryCount());
        remoteIds.add(plan.remoteId());
        types.add(event.type().name());
        froms.add(event.from() == null ? null : event.from().name());
        tos.add(event.to() == null ? null : event.to().name());
        remotes.add(StoredText.of(event.remoteStatus()));
        messages.add(StoredText.of(event.message()));
      }
    }
    params
        .addArrayOfUUID(executions.toArray(UUID[]::new))
        .addArrayOfInteger(attempts.toArray(Integer[]::new))
        .addArrayOfString(remoteIds.toArray(String[]::new))
        .addArrayOfString(types.toArray(String[]::new))
        .addArrayOfString(froms.toArray(String[]::new))
        .addArrayOfString(tos.toArray(String[]::new))
        .addArrayOfString(remotes.toArray(String[]::new))
        .addArrayOfString(messages.toArray(String[]::new));
  }

  private static String[] strings(
      List<WritePlan.Update> batch, Function<WritePlan.Update, String> value) {
    return batch.stream().map(value).toArray(String[]::new);
  }

  private static Integer[] integers(
      List<WritePlan.Update> batch, Function<WritePlan.Update, Integer> value) {
    return batch.stream().map(value).toArray(Integer[]::new);
  }

  private static OffsetDateTime[] times(
      List<WritePlan.Update> batch, Function<WritePlan.Update, Instant> value) {
    return batch.stream().map(value).map(ExecutionStore::odt).toArray(OffsetDateTime[]::new);
  }

  /** What came of writing a check that gives the execution its remote id. */
  enum SubmissionWrite {
    APPLIED,
    /** The row was no longer ours: the run AMC made is not tracked by it. */
    LOST,
    /** Another row of the instance tracks that run already: not adopted, nothing written. */
    TRACKED_ELSEWHERE
  }

  /**
   * Applies an update that gives the execution its remote id, unless another row of its AMC
   * instance already tracks that run (checked first, and enforced by the unique index when two
   * writers race: its violation means the same).
   */
  Uni<SubmissionWrite> applySubmission(String owner, Instant now, WritePlan.Update plan) {
    return pool.withTransaction(
            connection ->
                tracked(connection, plan.execution().id(), plan.remote().amcExecutionId())
                    .chain(
                        tracked ->
                            tracked
                                ? Uni.createFrom().item(SubmissionWrite.TRACKED_ELSEWHERE)
                                : applyIn(connection, owner, now, plan)
                                    .map(
                                        applied ->
                                            applied
                                                ? SubmissionWrite.APPLIED
                                                : SubmissionWrite.LOST)))
        .onFailure(ExecutionStore::isTrackedElsewhere)
        .recoverWithItem(SubmissionWrite.TRACKED_ELSEWHERE);
  }

  /** What became of a run AMC made for an execution whose row had moved on. */
  enum LateRun {
    /** A row of the instance tracks it (this one, adopted meanwhile, or another). */
    TRACKED,
    /** The row still waited for a run (PENDING, no remote id) and now tracks this one. */
    ADOPTED,
    /** No row wants it: it must be cancelled at AMC. */
    UNWANTED
  }

  /**
   * Settles a run whose submission could not be written: adopted when the row still waits for a
   * run, whoever holds its lease (the version moves on, so that holder's own create, if any, meets
   * this same path and is cancelled).
   */
  Uni<LateRun> settleLateRun(
      String owner, Instant now, ClaimedExecution execution, String remoteId, String remoteStatus) {
    String message =
        "remote id "
            + remoteId
            + " adopted: its create was answered after the execution had moved on";
    return pool.withTransaction(
            connection ->
                tracked(connection, execution.id(), remoteId)
                    .chain(
                        tracked ->
                            tracked
                                ? Uni.createFrom().item(LateRun.TRACKED)
                                : adoptIn(
                                        connection,
                                        owner,
                                        now,
                                        execution.id(),
                                        null,
                                        remoteId,
                                        remoteStatus,
                                        message)
                                    .chain(
                                        adopted ->
                                            adopted
                                                ? Uni.createFrom().item(LateRun.ADOPTED)
                                                : trackedSinceFirstLook(
                                                    connection, execution.id(), remoteId, now))))
        .onFailure(ExecutionStore::isTrackedElsewhere)
        .recoverWithItem(LateRun.TRACKED);
  }

  /**
   * Asked again after a refused adoption: a statement sees what committed before it started, so a
   * writer that adopted the run while the adoption waited on the row's lock (an operator's cancel
   * past its settle window) is seen here, and its run is not cancelled as nobody's.
   */
  private Uni<LateRun> trackedSinceFirstLook(
      SqlClient connection, UUID executionId, String remoteId, Instant now) {
    return tracked(connection, executionId, remoteId)
        .chain(
            tracked ->
                tracked
                    ? Uni.createFrom().item(LateRun.TRACKED)
                    : execute(
                            connection,
                            "record_orphan",
                            RECORD_ORPHAN,
                            Tuple.of(
                                executionId, remoteId, odt(now), odt(now.plus(ORPHAN_RETRY_AFTER))))
                        .replaceWith(LateRun.UNWANTED));
  }

  /** The orphaned run {@code remoteId} was cancelled at AMC: housekeeping leaves it alone. */
  Uni<Void> orphanSettled(Instant now, UUID executionId, String remoteId) {
    return execute(
            pool, "orphan_settled", ORPHAN_SETTLED, Tuple.of(executionId, remoteId, odt(now)))
        .replaceWithVoid();
  }

  /**
   * Adopts {@code remote} for a PENDING execution without a remote id, at {@code version} only;
   * false when the row changed or another row of the instance tracks the run.
   */
  Uni<Boolean> adopt(
      String replica,
      Instant now,
      UUID executionId,
      long version,
      String remoteId,
      String remoteStatus,
      String message) {
    return pool.withTransaction(
            connection ->
                adoptIn(
                    connection,
                    replica,
                    now,
                    executionId,
                    version,
                    remoteId,
                    remoteStatus,
                    message))
        .onFailure(ExecutionStore::isTrackedElsewhere)
        .recoverWithItem(false);
  }

  private Uni<Boolean> tracked(SqlClient connection, UUID executionId, String remoteId) {
    return execute(connection, "tracked", TRACKED, Tuple.of(executionId, remoteId))
        .map(rows -> rows.rowCount() > 0);
  }

  /** The ADOPT write and its SUBMITTED event, in the caller's transaction. */
  private Uni<Boolean> adoptIn(
      SqlClient connection,
      String replica,
      Instant now,
      UUID executionId,
      Long version,
      String remoteId,
      String remoteStatus,
      String message) {
    Tuple params =
        Tuple.tuple()
            .addUUID(executionId)
            .addString(ExecutionStatus.PENDING.name())
            .addString(remoteId)
            .addString(StoredText.of(remoteStatus))
            .addOffsetDateTime(odt(now))
            .addLong(version);
    return execute(connection, "adopt", ADOPT, params)
        .chain(
            rows ->
                rows.rowCount() == 1
                    ? execute(connection, "load", LOAD, Tuple.of(executionId))
                        .map(loaded -> toClaims(loaded).get(0))
                        .chain(
                            adopted ->
                                insertEvents(
                                    connection,
                                    replica,
                                    now,
                                    adopted,
                                    remoteId,
                                    List.of(
                                        new NewEvent(
                                            EventType.SUBMITTED,
                                            null,
                                            null,
                                            remoteStatus,
                                            message))))
                        .replaceWith(true)
                    : Uni.createFrom().item(false));
  }

  /** A unique violation of an index that keeps one remote id to one row. */
  static boolean isTrackedElsewhere(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof PgException pg
          && "23505".equals(pg.getSqlState())
          && WorkflowExecution.ONE_ROW_PER_REMOTE_RUN.equals(pg.getConstraint())) {
        return true;
      }
    }
    return false;
  }

  private Uni<Boolean> applyIn(
      SqlClient connection, String owner, Instant now, WritePlan.Update plan) {
    return execute(
            connection,
            "update",
            UPDATE,
            updateParams(owner, now, plan).addDouble(createSettleSeconds))
        .chain(
            rows ->
                rows.rowCount() == 1
                    ? insertEvents(
                            connection,
                            owner,
                            now,
                            plan.execution(),
                            plan.remoteId(),
                            plan.events())
                        .chain(() -> resultStepIfSucceeded(connection, owner, now, plan))
                        .replaceWith(true)
                    : Uni.createFrom().item(false));
  }

  /**
   * SUCCESS opens the result's download step in the same transaction, so no succeeded execution can
   * be left without one.
   */
  private Uni<RowSet<Row>> resultStepIfSucceeded(
      SqlClient connection, String owner, Instant now, WritePlan.Update plan) {
    if (plan.newStatus() != ExecutionStatus.SUCCESS) {
      return Uni.createFrom().nullItem();
    }
    ResultDelivery delivery = deliveryOf(plan);
    Uni<RowSet<Row>> opened =
        execute(
            connection,
            "open_result",
            OPEN_RESULT,
            Tuple.tuple()
                .addUUID(plan.execution().id())
                .addOffsetDateTime(odt(now))
                .addString(delivery.status().name())
                .addString(StoredText.of(delivery.reason()))
                .addString(StoredText.of(delivery.outputS3Uri())));
    if (delivery.status() != ResultStatus.UNDELIVERABLE) {
      return opened;
    }
    return opened.chain(
        () ->
            insertEvents(
                connection,
                owner,
                now,
                plan.execution(),
                plan.remoteId(),
                List.of(
                    new NewEvent(
                        EventType.RESULT_UNDELIVERABLE, null, null, null, delivery.reason()))));
  }

  private Uni<RowSet<Row>> insertEvents(
      SqlClient connection,
      String owner,
      Instant now,
      ClaimedExecution execution,
      String amcId,
      List<NewEvent> events) {
    if (events.isEmpty()) {
      return Uni.createFrom().nullItem();
    }
    int size = events.size();
    String[] types = new String[size];
    String[] froms = new String[size];
    String[] tos = new String[size];
    String[] remotes = new String[size];
    String[] messages = new String[size];
    for (int i = 0; i < size; i++) {
      NewEvent event = events.get(i);
      types[i] = event.type().name();
      froms[i] = event.from() == null ? null : event.from().name();
      tos[i] = event.to() == null ? null : event.to().name();
      remotes[i] = StoredText.of(event.remoteStatus());
      messages[i] = StoredText.of(event.message());
    }
    Tuple params =
        Tuple.tuple()
            .addUUID(execution.id())
            .addOffsetDateTime(odt(now))
            .addInteger(execution.retryCount())
            .addString(amcId)
            .addString(owner)
            .addArrayOfString(types)
            .addArrayOfString(froms)
            .addArrayOfString(tos)
            .addArrayOfString(remotes)
            .addArrayOfString(messages);
    return execute(connection, "insert_events", INSERT_EVENTS, params);
  }

  /** The parameters of UPDATE, in its groups; the create settle window ($23) is added after. */
  private static Tuple updateParams(String owner, Instant now, WritePlan.Update plan) {
    ClaimedExecution execution = plan.execution();
    WritePlan.Remote remote = plan.remote();
    WritePlan.Times times = plan.times();
    WritePlan.Errors errors = plan.errors();
    return Tuple.tuple()
        .addUUID(execution.id())
        .addLong(execution.version())
        .addString(execution.status().name())
        .addString(owner)
        // set to the value given
        .addString(plan.newStatus().name())
        .addString(StoredText.of(remote.status()))
        .addOffsetDateTime(odt(times.completedAt()))
        .addInteger(errors.checksFailedInARow())
        .addOffsetDateTime(odt(plan.nextPollAt()))
        // set when given
        .addString(remote.amcExecutionId())
        .addString(StoredText.of(remote.statusReason()))
        .addOffsetDateTime(odt(remote.expireTime()))
        .addInteger(remote.timeoutSeconds())
        .addInteger(times.durationSeconds())
        .addString(StoredText.of(errors.lastError()))
        .addOffsetDateTime(odt(errors.lastErrorAt()))
        .addString(errors.type() == null ? null : errors.type().name())
        .addString(StoredText.of(errors.message()))
        // set once
        .addOffsetDateTime(odt(times.submittedAt()))
        .addOffsetDateTime(odt(times.startedAt()))
        // set when flagged, and the bookkeeping
        .addBoolean(plan.warnsOfLongExecution())
        .addOffsetDateTime(odt(now));
  }

  private Uni<RowSet<Row>> execute(SqlClient client, String operation, String sql, Tuple params) {
    metrics.statementIssued(operation);
    return client.preparedQuery(sql).execute(params);
  }

  /** Rows as they stand, their lease end as stored (on the database clock). */
  private static List<ClaimedExecution> toClaims(RowSet<Row> rows) {
    return toClaims(rows, null);
  }

  /** Rows just claimed; {@code leaseEnds}, when given, replaces the stored lease end. */
  private static List<ClaimedExecution> toClaims(RowSet<Row> rows, Instant leaseEnds) {
    List<ClaimedExecution> claims = new ArrayList<>(rows.rowCount());
    for (Row row : rows) {
      if (row.getUUID("id") == null) {
        // The claim's one row when it took nothing (it carries only the candidates' count).
        continue;
      }
      claims.add(
          new ClaimedExecution(
              row.getUUID("id"),
              row.getUUID("workflow_id"),
              row.getLong("version"),
              ExecutionStatus.valueOf(row.getString("status")),
              row.getString("remote_status"),
              row.getString("amc_execution_id"),
              row.getInteger("retry_count"),
              row.getInteger("consecutive_poll_errors"),
              instant(row.getOffsetDateTime("started_at")),
              instant(row.getOffsetDateTime("submit_attempted_at")),
              new RemoteTarget(
                  row.getString("instance_id"),
                  row.getString("account_id"),
                  row.getString("marketplace_id"),
                  row.getString("api_base_url")),
              row.getString("amc_workflow_id"),
              row.getString("sql_query"),
              parameters(row.getJsonObject("parameters")),
              timeWindow(row.getJsonObject("time_window")),
              new ClaimedExecution.RuntimeFacts(
                  row.getInteger("max_runtime_seconds"),
                  row.getInteger("warning_threshold_seconds"),
                  row.getInteger("remote_timeout_seconds"),
                  instant(row.getOffsetDateTime("long_execution_warned_at"))),
              leaseEnds != null ? leaseEnds : instant(row.getOffsetDateTime("lease_expires_at")),
              row.getString("traceparent")));
    }
    return claims;
  }

  private static Map<String, String> parameters(JsonObject json) {
    Map<String, String> values = new HashMap<>();
    if (json != null) {
      json.forEach(entry -> values.put(entry.getKey(), String.valueOf(entry.getValue())));
    }
    return values;
  }

  private static TimeWindow timeWindow(JsonObject json) {
    if (json == null) {
      return null;
    }
    return new TimeWindow(
        json.getString("type"),
        json.getString("start"),
        json.getString("end"),
        json.getString("timeZone"));
  }

  private static double seconds(Duration duration) {
    return duration.toMillis() / 1000.0;
  }

  static OffsetDateTime odt(Instant instant) {
    return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }

  private static Instant instant(OffsetDateTime time) {
    return time == null ? null : time.toInstant();
  }
}
