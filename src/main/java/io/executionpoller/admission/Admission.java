package io.executionpoller.admission;

import io.executionpoller.execution.ExecutionStatus;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;

/**
 * Decides, inside the transaction that records a submit attempt, whether the create may go to AMC.
 * It locks the execution's account row, then its instance row (always in that order, so two
 * admissions never deadlock), counts under those locks, and records an ad hoc create for the day
 * before the caller records the attempt and commits: a replica that counts after another cannot
 * miss the other's attempt, so two replicas racing for the last slot never both take it. {@code FOR
 * NO KEY UPDATE} leaves the key-share locks of foreign keys alone: registering a workflow on the
 * instance never waits on an admission.
 */
@ApplicationScoped
public class Admission {

  /** In the text, so the partial index of V18 applies: {@link ExecutionStatus#ACTIVE_SQL_LIST}. */
  private static final String ACTIVE = ExecutionStatus.ACTIVE_SQL_LIST;

  private static final String LOCK_ACCOUNT =
      """
      SELECT a.id FROM amc_accounts a
        JOIN amc_instances i ON i.amc_account_id = a.id
        JOIN workflow_executions e ON e.amc_instance_id = i.id
       WHERE e.id = $1
         FOR NO KEY UPDATE OF a
      """;

  private static final String LOCK_INSTANCE =
      """
      SELECT i.id, i.amc_account_id, i.admission_held_until, i.admission_held_reason,
             e.workflow_id, (w.sql_query IS NOT NULL) AS ad_hoc
        FROM workflow_executions e
        JOIN workflows w ON w.id = e.workflow_id
        JOIN amc_instances i ON i.id = e.amc_instance_id
       WHERE e.id = $1
         FOR NO KEY UPDATE OF i
      """;

  /**
   * $1 account, $2 instance, $3 the submitting execution (not counted), $4 its workflow, $5
   * PENDING, $6 INSTANCE_CONCURRENCY, $7 the UTC day. "At AMC" is active here with a remote id or a
   * create on record (it may be on the wire): an execution that ended at AMC but was not yet seen
   * to end still counts, which errs on the side of AMC's quota.
   */
  private static final String COUNT =
      """
      WITH at_amc AS (
          SELECT e.amc_instance_id, e.workflow_id FROM workflow_executions e
            JOIN amc_instances i ON i.id = e.amc_instance_id
           WHERE i.amc_account_id = $1 AND e.id <> $3
             AND e.status IN (%1$s)
             AND (e.amc_execution_id IS NOT NULL OR e.submit_attempted_at IS NOT NULL)),
      per_workflow AS (
          SELECT workflow_id, count(*) AS n FROM at_amc WHERE amc_instance_id = $2
           GROUP BY workflow_id)
      SELECT (SELECT count(*) FROM at_amc WHERE amc_instance_id = $2) AS instance_at_amc,
             (SELECT count(*) FROM at_amc) AS account_at_amc,
             (SELECT count(DISTINCT q.workflow_id) FROM workflow_executions q
                LEFT JOIN per_workflow p ON p.workflow_id = q.workflow_id
               WHERE q.amc_instance_id = $2 AND q.status IN (%1$s) AND q.status = $5
                 AND q.amc_execution_id IS NULL AND q.queued_reason = $6
                 AND q.workflow_id <> $4
                 AND COALESCE(p.n, 0)
                     < COALESCE((SELECT n FROM per_workflow WHERE workflow_id = $4), 0))
               AS fairer_waiting,
             COALESCE((SELECT creates FROM ad_hoc_creates
                        WHERE amc_instance_id = $2 AND utc_day = $7), 0) AS ad_hoc_today
      """
          .formatted(ACTIVE);

  private static final String COUNT_AD_HOC_CREATE =
      """
      INSERT INTO ad_hoc_creates (amc_instance_id, utc_day, creates) VALUES ($1, $2, 1)
      ON CONFLICT (amc_instance_id, utc_day) DO UPDATE SET creates = ad_hoc_creates.creates + 1
      """;

  private static final String HOLD_INSTANCE =
      """
      UPDATE amc_instances SET admission_held_until = $2, admission_held_reason = $3
       WHERE id = (SELECT amc_instance_id FROM workflow_executions WHERE id = $1)
         AND (admission_held_until IS NULL OR admission_held_until < $2)
      """;

  private final AdmissionConfig config;

  @Inject
  public Admission(AdmissionConfig config) {
    this.config = config;
  }

  /**
   * Empty when the create of {@code executionId} may be sent (an ad hoc one is then counted for the
   * day), else why and until when it waits. Runs in the caller's transaction, which must record the
   * attempt before it commits.
   */
  public Uni<Optional<Hold>> decide(SqlClient transaction, UUID executionId, Instant now) {
    return transaction
        .preparedQuery(LOCK_ACCOUNT)
        .execute(Tuple.of(executionId))
        .chain(() -> transaction.preparedQuery(LOCK_INSTANCE).execute(Tuple.of(executionId)))
        .map(rows -> rows.iterator().next())
        .chain(instance -> decideUnderLock(transaction, executionId, instance, now));
  }

  private Uni<Optional<Hold>> decideUnderLock(
      SqlClient transaction, UUID executionId, Row instance, Instant now) {
    long instanceId = instance.getLong("id");
    boolean adHoc = instance.getBoolean("ad_hoc");
    Tuple params =
        Tuple.tuple()
            .addLong(instance.getLong("amc_account_id"))
            .addLong(instanceId)
            .addUUID(executionId)
            .addUUID(instance.getUUID("workflow_id"))
            .addString(ExecutionStatus.PENDING.name())
            .addString(QueuedReason.INSTANCE_CONCURRENCY.name())
            .addLocalDate(AdmissionRules.utcDay(now));
    return transaction
        .preparedQuery(COUNT)
        .execute(params)
        .map(rows -> usage(rows.iterator().next(), instance))
        .map(usage -> AdmissionRules.decide(usage, config, adHoc, now))
        .chain(
            hold ->
                hold.isEmpty() && adHoc
                    ? transaction
                        .preparedQuery(COUNT_AD_HOC_CREATE)
                        .execute(Tuple.of(instanceId, AdmissionRules.utcDay(now)))
                        .replaceWith(hold)
                    : Uni.createFrom().item(hold));
  }

  /**
   * Holds the execution's instance back after AMC refused its create for a quota: nothing of the
   * instance is sent until the hold ends (the next UTC midnight for the daily quota). Runs in the
   * caller's transaction; returns the hold.
   */
  public Uni<Hold> holdAfterRefusal(
      SqlClient transaction, UUID executionId, QueuedReason reason, Instant now) {
    Hold hold =
        new Hold(
            reason,
            reason == QueuedReason.DAILY_QUOTA
                ? AdmissionRules.nextUtcMidnight(now)
                : now.plus(config.quotaRefusalHold()));
    return transaction
        .preparedQuery(HOLD_INSTANCE)
        .execute(
            Tuple.of(
                executionId,
                OffsetDateTime.ofInstant(hold.recheckAt(), ZoneOffset.UTC),
                reason.name()))
        .replaceWith(hold);
  }

  private static Usage usage(Row counted, Row instance) {
    OffsetDateTime heldUntil = instance.getOffsetDateTime("admission_held_until");
    String heldReason = instance.getString("admission_held_reason");
    return new Usage(
        counted.getLong("instance_at_amc").intValue(),
        counted.getLong("account_at_amc").intValue(),
        counted.getLong("ad_hoc_today").intValue(),
        counted.getLong("fairer_waiting").intValue(),
        heldUntil == null ? null : heldUntil.toInstant(),
        heldReason == null ? null : QueuedReason.valueOf(heldReason));
  }
}
