package io.executionpoller.poll;

import io.executionpoller.execution.ExecutionStatus;
import io.executionpoller.execution.TimeWindow;
import io.executionpoller.remote.RemoteTarget;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The poll loop's SQL. Claims take leases with FOR UPDATE SKIP LOCKED; every write is guarded by
 * the expected status, version and lease owner, so a stale writer changes nothing. Unchanged checks
 * are rescheduled in one statement per batch.
 */
@ApplicationScoped
public class ExecutionStore {

  private static final String CLAIM =
      """
      WITH due AS (
          SELECT id FROM workflow_executions
           WHERE status IN ('PENDING', 'RUNNING')
             AND next_poll_at <= $1
             AND (lease_owner IS NULL OR lease_expires_at <= $1)
           ORDER BY next_poll_at
           LIMIT $2
           FOR UPDATE SKIP LOCKED)
      UPDATE workflow_executions e
         SET lease_owner = $3, lease_expires_at = $4, version = e.version + 1
        FROM due, workflows w, amc_instances i, amc_accounts a
       WHERE e.id = due.id AND w.id = e.workflow_id
         AND i.id = w.amc_instance_id AND a.id = i.amc_account_id
      RETURNING e.id, e.version, e.status, e.remote_status, e.amc_execution_id, e.retry_count,
                e.consecutive_poll_errors, e.started_at, e.parameters, e.time_window,
                w.amc_workflow_id, w.sql_query, i.instance_id, i.api_base_url,
                a.account_id, a.marketplace_id
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
         SET submit_attempted_at = $5, version = version + 1, updated_at = $5
       WHERE id = $1 AND version = $2 AND status = $3 AND lease_owner = $4
      RETURNING version
      """;

  private static final String UPDATE =
      """
      UPDATE workflow_executions
         SET status = $5, amc_execution_id = COALESCE($6, amc_execution_id),
             remote_status = $7, status_reason = COALESCE($8, status_reason),
             submitted_at = COALESCE(submitted_at, $9), started_at = COALESCE(started_at, $10),
             completed_at = $11, remote_expire_time = COALESCE($12, remote_expire_time),
             remote_timeout_seconds = COALESCE($13, remote_timeout_seconds),
             execution_duration = COALESCE($14, execution_duration),
             consecutive_poll_errors = $15, last_error = COALESCE($16, last_error),
             last_error_at = COALESCE($17, last_error_at), error_type = COALESCE($18, error_type),
             error_message = COALESCE($19, error_message), next_poll_at = $20,
             last_polled_at = $21, poll_count = poll_count + 1,
             lease_owner = NULL, lease_expires_at = NULL, version = version + 1, updated_at = $21
       WHERE id = $1 AND version = $2 AND status = $3 AND lease_owner = $4
      """;

  private static final String INSERT_EVENTS =
      """
      INSERT INTO execution_events
             (execution_id, occurred_at, type, attempt, from_status, to_status, remote_status,
              amc_execution_id, message, replica)
      SELECT $1, $2, t.type, $3, t.from_status, t.to_status, t.remote_status, $4, t.message, $5
        FROM unnest($6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
             WITH ORDINALITY AS t(type, from_status, to_status, remote_status, message, position)
       ORDER BY t.position
      """;

  private final Pool pool;
  private final Map<String, Counter> statementCounters = new HashMap<>();

  ExecutionStore(Pool pool, MeterRegistry registry) {
    this.pool = pool;
    for (String operation :
        List.of("claim", "reschedule", "mark_submit", "update", "insert_events")) {
      statementCounters.put(
          operation,
          Counter.builder("poller.db.statements")
              .description("SQL statements issued by the poll loop")
              .tag("operation", operation)
              .register(registry));
    }
  }

  /** Claims up to {@code limit} due executions for {@code owner} until {@code leaseUntil}. */
  public Uni<List<ClaimedExecution>> claim(
      String owner, Instant now, Instant leaseUntil, int limit) {
    return execute(pool, "claim", CLAIM, Tuple.of(odt(now), limit, owner, odt(leaseUntil)))
        .map(ExecutionStore::toClaims);
  }

  /** Writes a batch of unchanged checks in one statement; returns how many rows were still ours. */
  Uni<Integer> reschedule(String owner, Instant now, List<WritePlan.Reschedule> batch) {
    if (batch.isEmpty()) {
      return Uni.createFrom().item(0);
    }
    int size = batch.size();
    UUID[] ids = new UUID[size];
    Long[] versions = new Long[size];
    String[] statuses = new String[size];
    String[] remoteStatuses = new String[size];
    OffsetDateTime[] nextPolls = new OffsetDateTime[size];
    for (int i = 0; i < size; i++) {
      WritePlan.Reschedule plan = batch.get(i);
      ids[i] = plan.execution().id();
      versions[i] = plan.execution().version();
      statuses[i] = plan.execution().status().name();
      remoteStatuses[i] = plan.remoteStatus();
      nextPolls[i] = odt(plan.nextPollAt());
    }
    Tuple params =
        Tuple.tuple()
            .addString(owner)
            .addOffsetDateTime(odt(now))
            .addArrayOfUUID(ids)
            .addArrayOfLong(versions)
            .addArrayOfString(statuses)
            .addArrayOfString(remoteStatuses)
            .addArrayOfOffsetDateTime(nextPolls);
    return execute(pool, "reschedule", RESCHEDULE, params).map(RowSet::rowCount);
  }

  /** Records that a create is about to be sent; returns the new version, or null if lost. */
  Uni<Long> markSubmitAttempt(String owner, Instant now, ClaimedExecution execution) {
    Tuple params =
        Tuple.of(execution.id(), execution.version(), execution.status().name(), owner, odt(now));
    return execute(pool, "mark_submit", MARK_SUBMIT_ATTEMPT, params)
        .map(rows -> rows.rowCount() == 1 ? rows.iterator().next().getLong("version") : null);
  }

  /** Applies one update and its events atomically; false when the row was no longer ours. */
  Uni<Boolean> apply(String owner, Instant now, WritePlan.Update plan) {
    return pool.withTransaction(
        connection ->
            execute(connection, "update", UPDATE, updateParams(owner, now, plan))
                .chain(
                    rows ->
                        rows.rowCount() == 1
                            ? insertEvents(connection, owner, now, plan).replaceWith(true)
                            : Uni.createFrom().item(false)));
  }

  private Uni<RowSet<Row>> insertEvents(
      SqlClient connection, String owner, Instant now, WritePlan.Update plan) {
    if (plan.events().isEmpty()) {
      return Uni.createFrom().nullItem();
    }
    int size = plan.events().size();
    String[] types = new String[size];
    String[] froms = new String[size];
    String[] tos = new String[size];
    String[] remotes = new String[size];
    String[] messages = new String[size];
    for (int i = 0; i < size; i++) {
      NewEvent event = plan.events().get(i);
      types[i] = event.type().name();
      froms[i] = event.from() == null ? null : event.from().name();
      tos[i] = event.to() == null ? null : event.to().name();
      remotes[i] = event.remoteStatus();
      messages[i] = event.message();
    }
    String amcId =
        plan.amcExecutionId() != null ? plan.amcExecutionId() : plan.execution().amcExecutionId();
    Tuple params =
        Tuple.tuple()
            .addUUID(plan.execution().id())
            .addOffsetDateTime(odt(now))
            .addInteger(plan.execution().retryCount())
            .addString(amcId)
            .addString(owner)
            .addArrayOfString(types)
            .addArrayOfString(froms)
            .addArrayOfString(tos)
            .addArrayOfString(remotes)
            .addArrayOfString(messages);
    return execute(connection, "insert_events", INSERT_EVENTS, params);
  }

  private static Tuple updateParams(String owner, Instant now, WritePlan.Update plan) {
    ClaimedExecution execution = plan.execution();
    return Tuple.tuple()
        .addUUID(execution.id())
        .addLong(execution.version())
        .addString(execution.status().name())
        .addString(owner)
        .addString(plan.newStatus().name())
        .addString(plan.amcExecutionId())
        .addString(plan.remoteStatus())
        .addString(plan.statusReason())
        .addOffsetDateTime(odt(plan.submittedAt()))
        .addOffsetDateTime(odt(plan.startedAt()))
        .addOffsetDateTime(odt(plan.completedAt()))
        .addOffsetDateTime(odt(plan.remoteExpireTime()))
        .addInteger(plan.remoteTimeoutSeconds())
        .addInteger(plan.executionDurationSeconds())
        .addInteger(plan.consecutivePollErrors())
        .addString(plan.lastError())
        .addOffsetDateTime(odt(plan.lastErrorAt()))
        .addString(plan.errorType())
        .addString(plan.errorMessage())
        .addOffsetDateTime(odt(plan.nextPollAt()))
        .addOffsetDateTime(odt(now));
  }

  private Uni<RowSet<Row>> execute(SqlClient client, String operation, String sql, Tuple params) {
    statementCounters.get(operation).increment();
    return client.preparedQuery(sql).execute(params);
  }

  private static List<ClaimedExecution> toClaims(RowSet<Row> rows) {
    List<ClaimedExecution> claims = new ArrayList<>(rows.rowCount());
    for (Row row : rows) {
      claims.add(
          new ClaimedExecution(
              row.getUUID("id"),
              row.getLong("version"),
              ExecutionStatus.valueOf(row.getString("status")),
              row.getString("remote_status"),
              row.getString("amc_execution_id"),
              row.getInteger("retry_count"),
              row.getInteger("consecutive_poll_errors"),
              instant(row.getOffsetDateTime("started_at")),
              new RemoteTarget(
                  row.getString("instance_id"),
                  row.getString("account_id"),
                  row.getString("marketplace_id"),
                  row.getString("api_base_url")),
              row.getString("amc_workflow_id"),
              row.getString("sql_query"),
              parameters(row.getJsonObject("parameters")),
              timeWindow(row.getJsonObject("time_window"))));
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

  static OffsetDateTime odt(Instant instant) {
    return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }

  private static Instant instant(OffsetDateTime time) {
    return time == null ? null : time.toInstant();
  }
}
