package io.executionpoller.notify;

import static io.executionpoller.db.NativeColumns.instant;

import io.executionpoller.db.StoredText;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * Subscriptions' rows (native SQL on the caller's Hibernate Reactive session). Event types travel
 * as one comma-joined text, split in SQL: none of their names holds a comma. No read here returns a
 * secret; only {@link #create} and {@link #rotate} see one, the one they were given.
 */
@Singleton
public class SubscriptionStore {

  private static final String COLUMNS =
      """
      SELECT id, url, array_to_string(event_types, ','), workflow_id, instance_id, execution_id,
             enabled, paused_at IS NOT NULL, description, created_at, updated_at,
             CASE WHEN previous_secret_until > :now THEN previous_secret_until END
        FROM webhook_subscriptions
      """;

  private static final String INSERT =
      """
      INSERT INTO webhook_subscriptions
             (id, url, event_types, workflow_id, instance_id, execution_id, description, enabled,
              secret, created_at, updated_at)
      VALUES (:id, :url, string_to_array(:types, ','), :workflow, :instance, :execution,
              :description, :enabled, :secret, :now, :now)
      """;

  private static final String UPDATE =
      """
      UPDATE webhook_subscriptions
         SET url = COALESCE(:url, url),
             event_types = COALESCE(string_to_array(:types, ','), event_types),
             enabled = COALESCE(:enabled, enabled),
             description = COALESCE(:description, description),
             updated_at = :now
       WHERE id = :id
      """;

  /** The old secret keeps signing until :until; the new one signs from now on. */
  private static final String ROTATE =
      """
      UPDATE webhook_subscriptions
         SET previous_secret = secret, previous_secret_until = :until, secret = :secret,
             updated_at = :now
       WHERE id = :id
      """;

  private static final String PAUSE =
      """
      UPDATE webhook_subscriptions
         SET paused_at = CASE WHEN :paused THEN COALESCE(paused_at, :now) END, updated_at = :now
       WHERE id = :id
      """;

  private static final String DELETE = "DELETE FROM webhook_subscriptions WHERE id = :id";

  Uni<Void> create(
      UUID id, SubscriptionRequest request, UUID execution, String secret, Instant now) {
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(INSERT)
                    .setParameter("id", id)
                    .setParameter("url", StoredText.of(request.url()))
                    .setParameter("types", String.join(",", request.eventTypes()))
                    .setParameter("workflow", request.workflowId())
                    .setParameter("instance", StoredText.of(request.instanceId()))
                    .setParameter("execution", execution)
                    .setParameter("description", StoredText.of(request.description()))
                    .setParameter("enabled", request.enabled() == null || request.enabled())
                    .setParameter("secret", secret)
                    .setParameter("now", now)
                    .executeUpdate())
        .replaceWithVoid();
  }

  Uni<List<SubscriptionView>> list(Instant now) {
    return select(COLUMNS + " ORDER BY created_at, id", null, now);
  }

  Uni<SubscriptionView> one(UUID id, Instant now) {
    return select(COLUMNS + " WHERE id = :id", id, now)
        .map(rows -> rows.isEmpty() ? null : rows.get(0));
  }

  private static Uni<List<SubscriptionView>> select(String sql, UUID id, Instant now) {
    return Panache.getSession()
        .chain(
            session -> {
              Mutiny.SelectionQuery<Object[]> query =
                  session.createNativeQuery(sql, Object[].class).setParameter("now", now);
              if (id != null) {
                query.setParameter("id", id);
              }
              return query.getResultList();
            })
        .map(rows -> rows.stream().map(SubscriptionStore::view).toList());
  }

  private static SubscriptionView view(Object[] row) {
    return new SubscriptionView(
        (UUID) row[0],
        (String) row[1],
        Arrays.asList(((String) row[2]).split(",")),
        (UUID) row[3],
        (String) row[4],
        (UUID) row[5],
        (Boolean) row[6],
        (Boolean) row[7],
        (String) row[8],
        instant(row[9]),
        instant(row[10]),
        instant(row[11]),
        null);
  }

  /** Changes the given fields; false when there is no such subscription. */
  Uni<Boolean> update(UUID id, SubscriptionRequest change, Instant now) {
    return execute(
        session ->
            session
                .createNativeQuery(UPDATE)
                .setParameter("url", StoredText.of(change.url()))
                .setParameter(
                    "types",
                    change.eventTypes() == null ? null : String.join(",", change.eventTypes()))
                .setParameter("enabled", change.enabled())
                .setParameter("description", StoredText.of(change.description()))
                .setParameter("now", now)
                .setParameter("id", id));
  }

  Uni<Boolean> rotate(UUID id, String secret, Instant now, Instant previousUntil) {
    return execute(
        session ->
            session
                .createNativeQuery(ROTATE)
                .setParameter("until", previousUntil)
                .setParameter("secret", secret)
                .setParameter("now", now)
                .setParameter("id", id));
  }

  Uni<Boolean> pause(UUID id, boolean paused, Instant now) {
    return execute(
        session ->
            session
                .createNativeQuery(PAUSE)
                .setParameter("paused", paused)
                .setParameter("now", now)
                .setParameter("id", id));
  }

  Uni<Boolean> delete(UUID id) {
    return execute(session -> session.createNativeQuery(DELETE).setParameter("id", id));
  }

  private static Uni<Boolean> execute(
      java.util.function.Function<Mutiny.Session, Mutiny.MutationQuery> statement) {
    return Panache.getSession()
        .chain(session -> statement.apply(session).executeUpdate())
        .map(updated -> updated == 1);
  }
}
