package io.executionpoller.bulk;

import static io.executionpoller.db.NativeColumns.instant;
import static io.executionpoller.db.NativeColumns.integer;

import io.executionpoller.db.StoredText;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The bulk jobs' writes and reads (native SQL on a Hibernate Reactive session, ADR 0005), each on
 * the caller's transaction. Every write a worker makes after its claim is guarded by the job's
 * lease, so a worker that lost it (stopped, too slow) records nothing over the one that took over.
 */
@Singleton
class BulkStore {

  private static final String INSERT_JOB =
      """
      INSERT INTO bulk_jobs (id, action, reason, operator, selection, state, total, paced_until,
                             created_at, updated_at)
      VALUES (:id, :action, :reason, :operator, :selection, :state, :total, :now, :now, :now)
      """;

  /** The executions fixed at confirmation, in the order given. */
  private static final String INSERT_ITEMS =
      """
      INSERT INTO bulk_job_items (job_id, position, execution_id)
      SELECT :job, t.position, t.id
        FROM unnest(CAST(:ids AS uuid[])) WITH ORDINALITY AS t(id, position)
      """;

  /**
   * Leases the oldest unfinished job to :owner, unless another replica holds it: one job is worked
   * at a time across replicas, so the rate bound is the cluster's, not each replica's. The row lock
   * makes two replicas claiming together wait for each other; the lease test then refuses the
   * second.
   */
  private static final String CLAIM =
      """
      WITH oldest AS (
          SELECT id FROM bulk_jobs WHERE finished_at IS NULL
           ORDER BY created_at, id LIMIT 1 FOR UPDATE)
      UPDATE bulk_jobs j
         SET lease_owner = :owner, lease_expires_at = :until, state = :running, updated_at = :now
        FROM oldest
       WHERE j.id = oldest.id
         AND (j.lease_expires_at IS NULL OR j.lease_expires_at <= :now OR j.lease_owner = :owner)
      RETURNING j.id, j.action, j.reason, j.operator, j.paced_until
      """;

  private static final String PACE =
      "UPDATE bulk_jobs SET paced_until = :paced WHERE id = :id AND lease_owner = :owner";

  /**
   * Begins the job's next item not worked yet, if :owner still holds a live lease on the unfinished
   * job, and renews the lease in the same statement: only the lease holder ever begins an item.
   */
  private static final String BEGIN_ITEM =
      """
      WITH mine AS (
          UPDATE bulk_jobs SET lease_expires_at = :until, updated_at = :now
           WHERE id = :job AND lease_owner = :owner AND lease_expires_at > :now
             AND finished_at IS NULL
          RETURNING id)
      UPDATE bulk_job_items i SET attempts = i.attempts + 1
        FROM mine
       WHERE i.job_id = mine.id
         AND i.position = (SELECT min(position) FROM bulk_job_items
                            WHERE job_id = :job AND outcome IS NULL)
      RETURNING i.position, i.execution_id, i.attempts
      """;

  /** An item's outcome and the job's counts, by the lease holder only, once per item. */
  private static final String RECORD_ITEM =
      """
      WITH item AS (
          UPDATE bulk_job_items i SET outcome = :outcome, message = :message, finished_at = :now
            FROM bulk_jobs j
           WHERE i.job_id = :job AND i.position = :position AND i.outcome IS NULL
             AND j.id = i.job_id AND j.lease_owner = :owner
          RETURNING i.job_id)
      UPDATE bulk_jobs SET done = done + :done, skipped = skipped + :skipped,
                           failed = failed + :failed, updated_at = :now
        FROM item WHERE bulk_jobs.id = item.job_id
      """;

  /** Hands the lease back; a job with nothing left is DONE (a cancelled one stays CANCELLED). */
  private static final String RELEASE =
      """
      UPDATE bulk_jobs j
         SET lease_owner = NULL, lease_expires_at = NULL, updated_at = :now,
             state = CASE WHEN j.finished_at IS NULL AND NOT EXISTS
                            (SELECT 1 FROM bulk_job_items WHERE job_id = j.id AND outcome IS NULL)
                          THEN :done ELSE j.state END,
             finished_at = CASE WHEN j.finished_at IS NULL AND NOT EXISTS
                            (SELECT 1 FROM bulk_job_items WHERE job_id = j.id AND outcome IS NULL)
                          THEN :now ELSE j.finished_at END
       WHERE j.id = :job AND j.lease_owner = :owner
      """;

  private static final String CANCEL_JOB =
      """
      UPDATE bulk_jobs SET state = :cancelled, finished_at = :now, updated_at = :now
       WHERE id = :id AND finished_at IS NULL
      """;

  private static final String JOB_COLUMNS =
      """
      SELECT id, action, state, reason, operator, selection, total, done, skipped, failed,
             created_at, updated_at, finished_at
        FROM bulk_jobs
      """;

  private static final String ONE = JOB_COLUMNS + " WHERE id = :id";

  private static final String NEWEST =
      JOB_COLUMNS + " ORDER BY created_at DESC, id DESC LIMIT :limit";

  /** The items that did not end DONE, in order: what an operator wants to look at. */
  private static final String NOT_DONE =
      """
      SELECT execution_id, outcome, message FROM bulk_job_items
       WHERE job_id = :job AND outcome <> :done ORDER BY position LIMIT :limit
      """;

  /** A job as the worker needs it. */
  record ClaimedJob(
      UUID id, BulkAction action, String reason, String operator, Instant pacedUntil) {}

  /** An item begun: its place, its execution, and how often a worker began it. */
  record BegunItem(int position, UUID executionId, int attempts) {}

  Uni<Void> insert(
      UUID id,
      BulkAction action,
      String reason,
      String operator,
      String selection,
      List<UUID> ids,
      Instant now) {
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(INSERT_JOB)
                    .setParameter("id", id)
                    .setParameter("action", action.name())
                    .setParameter("reason", StoredText.of(reason))
                    .setParameter("operator", StoredText.of(operator))
                    .setParameter("selection", StoredText.of(selection))
                    .setParameter("state", BulkJobState.QUEUED.name())
                    .setParameter("total", ids.size())
                    .setParameter("now", now)
                    .executeUpdate()
                    .chain(
                        () ->
                            session
                                .createNativeQuery(INSERT_ITEMS)
                                .setParameter("job", id)
                                .setParameter("ids", ids.toArray(UUID[]::new))
                                .executeUpdate()))
        .replaceWithVoid();
  }

  Uni<Optional<ClaimedJob>> claim(String owner, Instant now, Duration lease) {
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(CLAIM, Object[].class)
                    .setParameter("owner", owner)
                    .setParameter("until", now.plus(lease))
                    .setParameter("running", BulkJobState.RUNNING.name())
                    .setParameter("now", now)
                    .getResultList())
        .map(
            rows ->
                rows.stream()
                    .findFirst()
                    .map(
                        row ->
                            new ClaimedJob(
                                (UUID) row[0],
                                BulkAction.valueOf((String) row[1]),
                                (String) row[2],
                                (String) row[3],
                                instant(row[4]))));
  }

  Uni<Void> pace(UUID job, String owner, Instant pacedUntil) {
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(PACE)
                    .setParameter("paced", pacedUntil)
                    .setParameter("id", job)
                    .setParameter("owner", owner)
                    .executeUpdate())
        .replaceWithVoid();
  }

  /** The next item, begun; empty when none is left or the lease is no longer {@code owner}'s. */
  Uni<Optional<BegunItem>> begin(UUID job, String owner, Instant now, Duration lease) {
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(BEGIN_ITEM, Object[].class)
                    .setParameter("job", job)
                    .setParameter("owner", owner)
                    .setParameter("now", now)
                    .setParameter("until", now.plus(lease))
                    .getResultList())
        .map(
            rows ->
                rows.stream()
                    .findFirst()
                    .map(row -> new BegunItem(integer(row[0]), (UUID) row[1], integer(row[2]))));
  }

  /** Records an item's outcome; false when the lease is no longer {@code owner}'s. */
  Uni<Boolean> record(
      UUID job, String owner, int position, BulkItemOutcome outcome, String message, Instant now) {
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(RECORD_ITEM)
                    .setParameter("job", job)
                    .setParameter("owner", owner)
                    .setParameter("position", position)
                    .setParameter("outcome", outcome.name())
                    .setParameter("message", StoredText.of(message))
                    .setParameter("now", now)
                    .setParameter("done", outcome == BulkItemOutcome.DONE ? 1 : 0)
                    .setParameter("skipped", outcome == BulkItemOutcome.SKIPPED ? 1 : 0)
                    .setParameter("failed", outcome == BulkItemOutcome.FAILED ? 1 : 0)
                    .executeUpdate())
        .map(updated -> updated > 0);
  }

  Uni<Void> release(UUID job, String owner, Instant now) {
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(RELEASE)
                    .setParameter("job", job)
                    .setParameter("owner", owner)
                    .setParameter("now", now)
                    .setParameter("done", BulkJobState.DONE.name())
                    .executeUpdate())
        .replaceWithVoid();
  }

  /** Stops an unfinished job; false when there is none such (finished, or no such job). */
  Uni<Boolean> cancel(UUID id, Instant now) {
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(CANCEL_JOB)
                    .setParameter("id", id)
                    .setParameter("cancelled", BulkJobState.CANCELLED.name())
                    .setParameter("now", now)
                    .executeUpdate())
        .map(updated -> updated > 0);
  }

  /** One job with up to {@code problems} of its items that did not end DONE; null when none. */
  Uni<BulkJobView> find(UUID id, int problems) {
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(ONE, Object[].class)
                    .setParameter("id", id)
                    .getResultList()
                    .chain(
                        rows ->
                            rows.isEmpty()
                                ? Uni.createFrom().nullItem()
                                : session
                                    .createNativeQuery(NOT_DONE, Object[].class)
                                    .setParameter("job", id)
                                    .setParameter("done", BulkItemOutcome.DONE.name())
                                    .setParameter("limit", problems)
                                    .getResultList()
                                    .map(items -> view(rows.get(0), items))));
  }

  /** The newest {@code limit} jobs, without their items. */
  Uni<List<BulkJobView>> newest(int limit) {
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(NEWEST, Object[].class)
                    .setParameter("limit", limit)
                    .getResultList())
        .map(rows -> rows.stream().map(row -> view(row, List.of())).toList());
  }

  private static BulkJobView view(Object[] row, List<Object[]> items) {
    return new BulkJobView(
        (UUID) row[0],
        BulkAction.valueOf((String) row[1]).path(),
        BulkJobState.valueOf((String) row[2]),
        (String) row[3],
        (String) row[4],
        (String) row[5],
        integer(row[6]),
        integer(row[7]),
        integer(row[8]),
        integer(row[9]),
        instant(row[10]),
        instant(row[11]),
        instant(row[12]),
        items.stream()
            .map(
                item ->
                    new BulkJobView.Item(
                        (UUID) item[0],
                        BulkItemOutcome.valueOf((String) item[1]),
                        (String) item[2]))
            .toList());
  }
}
