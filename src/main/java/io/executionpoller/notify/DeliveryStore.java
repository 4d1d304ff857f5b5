package io.executionpoller.notify;

import static io.executionpoller.db.NativeColumns.instant;
import static io.executionpoller.db.NativeColumns.integer;
import static io.executionpoller.db.NativeColumns.whole;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.executionpoller.db.StoredText;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The outbox's writes and reads (native SQL on a Hibernate Reactive session, ADR 0005). Every write
 * after the claim is guarded by the lease, so an attempt whose lease ran out and was taken over
 * records nothing over the newer attempt.
 */
@Singleton
public class DeliveryStore {

  private final ObjectMapper mapper;

  DeliveryStore(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  private static final String PENDING = DeliveryStatus.PENDING.name();

  /**
   * Leases up to :limit due deliveries of unpaused subscriptions. SKIP LOCKED passes over rows
   * another replica is claiming right now; the lease test passes over rows another replica holds.
   * Due-ness is the application's clock (backoff is computed on it), but leases are taken and
   * tested on the database's clock, like the poll loop's: replicas whose clocks disagree still
   * agree on whether a lease is live, so a replica running ahead cannot take over a live lease and
   * send the same delivery alongside its holder.
   */
  private static final String CLAIM =
      """
      UPDATE webhook_deliveries d
         SET lease_owner = :owner, lease_expires_at = now() + make_interval(secs => :lease)
        FROM (SELECT d2.id, s.url, s.secret, s.previous_secret, s.previous_secret_until,
                     e.traceparent
                FROM webhook_deliveries d2
                JOIN webhook_subscriptions s ON s.id = d2.subscription_id
                LEFT JOIN workflow_executions e ON e.id = d2.execution_id
               WHERE d2.status = :pending AND d2.next_attempt_at <= :now
                 AND (d2.lease_expires_at IS NULL OR d2.lease_expires_at <= now())
                 AND s.paused_at IS NULL
               ORDER BY d2.next_attempt_at
               LIMIT :limit
                 FOR UPDATE OF d2 SKIP LOCKED) due
       WHERE d.id = due.id
      RETURNING d.id, d.subscription_id, d.event_id, d.execution_id, d.event_type, d.occurred_at,
                d.due_since, d.created_at, d.attempts, d.payload, due.url, due.secret,
                CASE WHEN due.previous_secret_until > :now THEN due.previous_secret END,
                due.traceparent
      """;

  /**
   * The bodies of a batch's first attempts, fixed once: a concurrent or earlier fixing wins, so
   * every attempt agrees. Rows whose lease was lost are not returned.
   */
  private static final String FIX_PAYLOADS =
      """
      UPDATE webhook_deliveries d SET payload = COALESCE(d.payload, r.payload)
        FROM jsonb_to_recordset(CAST(CAST(:rows AS text) AS jsonb)) AS r(id uuid, payload text)
       WHERE d.id = r.id AND d.lease_owner = :owner
      RETURNING d.id, d.payload
      """;

  /**
   * A batch's answers in one statement, each under its lease: DELIVERED with the seconds from the
   * outbox row's commit on the database's clock, or due again at r.next, or DEAD.
   */
  private static final String RECORD =
      """
      UPDATE webhook_deliveries d
         SET status = r.status, attempts = d.attempts + 1, last_attempt_at = :now,
             last_status_code = r.code, last_error = r.error,
             next_attempt_at = COALESCE(r.next, d.next_attempt_at),
             delivered_at = CASE WHEN r.status = :delivered THEN CAST(:now AS timestamptz) END,
             lease_owner = NULL, lease_expires_at = NULL
        FROM jsonb_to_recordset(CAST(CAST(:rows AS text) AS jsonb))
             AS r(id uuid, status text, code int, error text, next timestamptz)
       WHERE d.id = r.id AND d.lease_owner = :owner AND d.status = :pending
      RETURNING d.id, EXTRACT(EPOCH FROM clock_timestamp() - d.created_at)
      """;

  private static final String COLUMNS =
      """
      SELECT d.id, d.subscription_id, d.event_id, d.execution_id, d.event_type, d.status,
             d.occurred_at, d.created_at, d.attempts, d.next_attempt_at, d.last_attempt_at,
             d.last_status_code, d.last_error, d.delivered_at
        FROM webhook_deliveries d
      """;

  private static final String BY_SUBSCRIPTION =
      COLUMNS + " WHERE d.subscription_id = :key ORDER BY d.created_at DESC, d.id LIMIT :limit";

  private static final String BY_EXECUTION =
      COLUMNS + " WHERE d.execution_id = :key ORDER BY d.created_at, d.id LIMIT :limit";

  private static final String ONE = COLUMNS + " WHERE d.id = :key";

  /** Dead deliveries with their subscription's URL, most recently given up first. */
  private static final String DEAD =
      """
      SELECT d.id, d.subscription_id, d.event_id, d.execution_id, d.event_type, d.status,
             d.occurred_at, d.created_at, d.attempts, d.next_attempt_at, d.last_attempt_at,
             d.last_status_code, d.last_error, d.delivered_at, s.url
        FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id
       WHERE d.status = :dead
       ORDER BY d.last_attempt_at DESC NULLS LAST, d.id
       LIMIT :limit
      """;

  private static final String DEAD_COUNT =
      "SELECT count(*) FROM webhook_deliveries WHERE status = :dead";

  /**
   * An operator's redelivery: due now, with a fresh max-age, whatever its state. A lease is kept: a
   * replica sending it right now finishes (and records) that attempt, and no other replica sends it
   * alongside until the lease is over.
   */
  private static final String REDELIVER =
      """
      UPDATE webhook_deliveries
         SET status = :pending, next_attempt_at = :now, due_since = :now
       WHERE id = :id
      """;

  private static final String BACKLOG =
      """
      SELECT count(*), COALESCE(EXTRACT(EPOCH FROM clock_timestamp() - min(created_at)), 0)
        FROM webhook_deliveries WHERE status = :pending
      """;

  /**
   * Leases deliveries due at {@code now} to {@code owner} for {@code lease} on the database clock.
   */
  Uni<List<ClaimedDelivery>> claim(String owner, Instant now, Duration lease, int limit) {
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(CLAIM, Object[].class)
                    .setParameter("owner", owner)
                    .setParameter("lease", lease.toMillis() / 1000.0)
                    .setParameter("pending", PENDING)
                    .setParameter("now", now)
                    .setParameter("limit", limit)
                    .getResultList())
        .map(rows -> rows.stream().map(DeliveryStore::claimed).toList());
  }

  private static ClaimedDelivery claimed(Object[] row) {
    List<String> secrets = new ArrayList<>();
    secrets.add((String) row[11]);
    if (row[12] != null) {
      secrets.add((String) row[12]);
    }
    return new ClaimedDelivery(
        (UUID) row[0],
        (UUID) row[1],
        whole(row[2]),
        (UUID) row[3],
        (String) row[4],
        instant(row[5]),
        instant(row[6]),
        instant(row[7]),
        integer(row[8]),
        (String) row[9],
        (String) row[10],
        List.copyOf(secrets),
        (String) row[13]);
  }

  /** Fixes the bodies not fixed yet; the stored body of each delivery whose lease is held. */
  Uni<Map<UUID, String>> fixPayloads(Map<UUID, String> built, String owner) {
    List<Map<String, Object>> rows = new ArrayList<>();
    built.forEach((id, payload) -> rows.add(Map.of("id", id.toString(), "payload", payload)));
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(FIX_PAYLOADS, Object[].class)
                    .setParameter("rows", json(rows))
                    .setParameter("owner", owner)
                    .getResultList())
        .map(
            fixed -> {
              Map<UUID, String> stored = new HashMap<>();
              fixed.forEach(row -> stored.put((UUID) row[0], (String) row[1]));
              return stored;
            });
  }

  /** One attempt's answer to record. */
  record Answer(UUID id, DeliveryStatus status, Integer code, String error, Instant next) {

    static Answer delivered(UUID id, int code) {
      return new Answer(id, DeliveryStatus.DELIVERED, code, null, null);
    }

    /** Due again at {@code next}, or DEAD when it is null. */
    static Answer failed(UUID id, Integer code, String error, Instant next) {
      return new Answer(
          id, next == null ? DeliveryStatus.DEAD : DeliveryStatus.PENDING, code, error, next);
    }

    boolean dead() {
      return status == DeliveryStatus.DEAD;
    }
  }

  /**
   * Records a batch's answers; per delivery recorded, the seconds from its outbox row's commit to
   * now on the database's clock (one clock, whatever replica sent it). A delivery whose lease was
   * lost meanwhile is missing: nothing was recorded over the newer attempt.
   */
  Uni<Map<UUID, Double>> record(List<Answer> answers, String owner, Instant now) {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (Answer answer : answers) {
      Map<String, Object> row = new HashMap<>();
      row.put("id", answer.id().toString());
      row.put("status", answer.status().name());
      row.put("code", answer.code());
      row.put("error", StoredText.of(answer.error()));
      // A dead delivery keeps no next attempt; its next_attempt_at is left as it was.
      row.put("next", answer.next() == null ? null : answer.next().toString());
      rows.add(row);
    }
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(RECORD, Object[].class)
                    .setParameter("rows", json(rows))
                    .setParameter("now", now)
                    .setParameter("delivered", DeliveryStatus.DELIVERED.name())
                    .setParameter("owner", owner)
                    .setParameter("pending", PENDING)
                    .getResultList())
        .map(
            recorded -> {
              Map<UUID, Double> latencies = new HashMap<>();
              recorded.forEach(
                  row -> latencies.put((UUID) row[0], ((Number) row[1]).doubleValue()));
              return latencies;
            });
  }

  private String json(Object value) {
    try {
      return mapper.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a batch of deliveries", e);
    }
  }

  /** The newest deliveries of a subscription, newest first. */
  Uni<List<DeliveryView>> ofSubscription(UUID subscription, int limit) {
    return list(BY_SUBSCRIPTION, subscription, limit);
  }

  /** The deliveries of an execution, oldest first. */
  public Uni<List<DeliveryView>> ofExecution(UUID execution, int limit) {
    return list(BY_EXECUTION, execution, limit);
  }

  /** The newest dead deliveries (call inside a session). */
  public Uni<List<DeadDelivery>> dead(int limit) {
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(DEAD, Object[].class)
                    .setParameter("dead", DeliveryStatus.DEAD.name())
                    .setParameter("limit", limit)
                    .getResultList())
        .map(
            rows ->
                rows.stream()
                    .map(row -> new DeadDelivery(view(row), receiver((String) row[14])))
                    .toList());
  }

  /** How many deliveries are dead (call inside a session). */
  public Uni<Long> deadCount() {
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(DEAD_COUNT, Long.class)
                    .setParameter("dead", DeliveryStatus.DEAD.name())
                    .getSingleResult());
  }

  /** scheme://host[:port] of a subscription URL, nothing of its path, query or user info. */
  static String receiver(String url) {
    try {
      java.net.URI uri = new java.net.URI(url);
      if (uri.getScheme() == null || uri.getHost() == null) {
        return "(unreadable URL)";
      }
      return uri.getScheme()
          + "://"
          + uri.getHost()
          + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
    } catch (java.net.URISyntaxException e) {
      return "(unreadable URL)";
    }
  }

  Uni<DeliveryView> one(UUID id) {
    return list(ONE, id, 1).map(rows -> rows.isEmpty() ? null : rows.get(0));
  }

  private static Uni<List<DeliveryView>> list(String sql, UUID key, int limit) {
    return Panache.getSession()
        .chain(
            session -> {
              var query = session.createNativeQuery(sql, Object[].class).setParameter("key", key);
              if (sql != ONE) {
                query.setParameter("limit", limit);
              }
              return query.getResultList();
            })
        .map(rows -> rows.stream().map(DeliveryStore::view).toList());
  }

  private static DeliveryView view(Object[] row) {
    return new DeliveryView(
        (UUID) row[0],
        (UUID) row[1],
        whole(row[2]),
        (UUID) row[3],
        (String) row[4],
        DeliveryStatus.valueOf((String) row[5]),
        instant(row[6]),
        instant(row[7]),
        integer(row[8]),
        DeliveryStatus.PENDING.name().equals(row[5]) ? instant(row[9]) : null,
        instant(row[10]),
        integer(row[11]),
        (String) row[12],
        instant(row[13]));
  }

  /** Makes a delivery due now; false when there is no such delivery. */
  Uni<Boolean> redeliver(UUID id, Instant now) {
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(REDELIVER)
                    .setParameter("pending", PENDING)
                    .setParameter("now", now)
                    .setParameter("id", id)
                    .executeUpdate())
        .map(updated -> updated == 1);
  }

  /** Pending deliveries and the age in seconds of the oldest (0 when there is none). */
  Uni<Backlog> backlog() {
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(BACKLOG, Object[].class)
                    .setParameter("pending", PENDING)
                    .getSingleResult())
        .map(row -> new Backlog(whole(row[0]), ((Number) row[1]).doubleValue()));
  }

  /** The outbox's depth. */
  record Backlog(long pending, double oldestAgeSeconds) {}
}
