package io.executionpoller.notify;

import static io.executionpoller.db.NativeColumns.instant;
import static io.executionpoller.db.NativeColumns.integer;
import static io.executionpoller.db.NativeColumns.whole;

import io.executionpoller.db.StoredText;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The outbox's writes and reads (native SQL on a Hibernate Reactive session, ADR 0005). Every write
 * after the claim is guarded by the lease, so an attempt whose lease ran out and was taken over
 * records nothing over the newer attempt.
 */
@Singleton
public class DeliveryStore {

  private static final String PENDING = DeliveryStatus.PENDING.name();

  /**
   * Leases up to :limit due deliveries of unpaused subscriptions. SKIP LOCKED passes over rows
   * another replica is claiming right now; the lease test passes over rows another replica holds.
   */
  private static final String CLAIM =
      """
      UPDATE webhook_deliveries d
         SET lease_owner = :owner, lease_expires_at = :until
        FROM (SELECT d2.id, s.url, s.secret, s.previous_secret, s.previous_secret_until
                FROM webhook_deliveries d2
                JOIN webhook_subscriptions s ON s.id = d2.subscription_id
               WHERE d2.status = :pending AND d2.next_attempt_at <= :now
                 AND (d2.lease_expires_at IS NULL OR d2.lease_expires_at <= :now)
                 AND s.paused_at IS NULL
               ORDER BY d2.next_attempt_at
               LIMIT :limit
                 FOR UPDATE OF d2 SKIP LOCKED) due
       WHERE d.id = due.id
      RETURNING d.id, d.subscription_id, d.event_id, d.execution_id, d.event_type, d.occurred_at,
                d.due_since, d.created_at, d.attempts, d.payload, due.url, due.secret,
                CASE WHEN due.previous_secret_until > :now THEN due.previous_secret END
      """;

  /** The body is fixed once; a concurrent or earlier fixing wins, so every attempt agrees. */
  private static final String FIX_PAYLOAD =
      """
      UPDATE webhook_deliveries SET payload = COALESCE(payload, :payload)
       WHERE id = :id AND lease_owner = :owner
      RETURNING payload
      """;

  private static final String DELIVERED =
      """
      UPDATE webhook_deliveries
         SET status = :status, attempts = attempts + 1, last_attempt_at = :now,
             last_status_code = :code, last_error = NULL, delivered_at = :now,
             lease_owner = NULL, lease_expires_at = NULL
       WHERE id = :id AND lease_owner = :owner AND status = :pending
      RETURNING EXTRACT(EPOCH FROM clock_timestamp() - created_at)
      """;

  private static final String FAILED =
      """
      UPDATE webhook_deliveries
         SET status = :status, attempts = attempts + 1, last_attempt_at = :now,
             last_status_code = :code, last_error = :error, next_attempt_at = :next,
             lease_owner = NULL, lease_expires_at = NULL
       WHERE id = :id AND lease_owner = :owner AND status = :pending
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

  /** Leases due deliveries to {@code owner} until {@code now + lease}. */
  Uni<List<ClaimedDelivery>> claim(String owner, Instant now, Duration lease, int limit) {
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(CLAIM, Object[].class)
                    .setParameter("owner", owner)
                    .setParameter("until", now.plus(lease))
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
        List.copyOf(secrets));
  }

  /** Fixes the body unless one is already; the stored body, or null when the lease was lost. */
  Uni<String> fixPayload(UUID id, String owner, String payload) {
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(FIX_PAYLOAD, String.class)
                    .setParameter("payload", payload)
                    .setParameter("id", id)
                    .setParameter("owner", owner)
                    .getResultList())
        .map(rows -> rows.isEmpty() ? null : rows.get(0));
  }

  /**
   * A 2xx answer: seconds from the outbox row's commit to now on the database's clock (one clock,
   * whatever replica sent it), or null when the lease was lost meanwhile and nothing was recorded.
   */
  Uni<Double> delivered(UUID id, String owner, Instant now, int code) {
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(DELIVERED, Object.class)
                    .setParameter("status", DeliveryStatus.DELIVERED.name())
                    .setParameter("now", now)
                    .setParameter("code", code)
                    .setParameter("id", id)
                    .setParameter("owner", owner)
                    .setParameter("pending", PENDING)
                    .getResultList())
        .map(rows -> rows.isEmpty() ? null : ((Number) rows.get(0)).doubleValue());
  }

  /**
   * A failed attempt: due again at {@code next}, or DEAD when {@code next} is null. False when the
   * lease was lost meanwhile and nothing was recorded.
   */
  Uni<Boolean> failed(
      UUID id, String owner, Instant now, Integer code, String error, Instant next) {
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(FAILED)
                    .setParameter(
                        "status",
                        next == null ? DeliveryStatus.DEAD.name() : DeliveryStatus.PENDING.name())
                    .setParameter("now", now)
                    .setParameter("code", code)
                    .setParameter("error", StoredText.of(error))
                    .setParameter("next", next == null ? now : next)
                    .setParameter("id", id)
                    .setParameter("owner", owner)
                    .setParameter("pending", PENDING)
                    .executeUpdate())
        .map(updated -> updated == 1);
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
