package io.executionpoller.notify;

import static io.executionpoller.db.NativeColumns.instant;
import static io.executionpoller.db.NativeColumns.integer;
import static io.executionpoller.db.NativeColumns.whole;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Reads the audit trail for the live stream, one page at a time. The sequence (execution_events.id)
 * is handed out at insert, not at commit, so a gap in it may be an event whose transaction has not
 * committed yet: a page stops before a gap until the event after it is {@code gapWait} old, by
 * which time the gap is a rolled-back insert or deleted history, and moving on loses nothing.
 * Filters are applied to the page's rows, not in the WHERE, so gaps are seen whatever the filter.
 */
@Singleton
public class EventStreamStore {

  private static final String PAGE =
      """
      SELECT e.id, e.execution_id, w.id, i.instance_id, e.occurred_at, e.type, e.attempt,
             e.from_status, e.to_status, e.remote_status, e.amc_execution_id, e.message, e.replica,
             (CAST(:workflow AS uuid) IS NULL OR w.id = CAST(:workflow AS uuid))
               AND (CAST(:instance AS text) IS NULL OR i.instance_id = CAST(:instance AS text))
               AND (CAST(:types AS text) IS NULL
                    OR e.type = ANY (string_to_array(CAST(:types AS text), ',')))
        FROM execution_events e
        JOIN workflow_executions x ON x.id = e.execution_id
        JOIN workflows w ON w.id = x.workflow_id
        JOIN amc_instances i ON i.id = w.amc_instance_id
       WHERE e.id > :after
       ORDER BY e.id
       LIMIT :limit
      """;

  private static final String NEWEST = "SELECT COALESCE(max(id), 0) FROM execution_events";

  private final Counter pages;

  EventStreamStore(MeterRegistry registry) {
    this.pages =
        Counter.builder("poller.events.stream.pages")
            .description("Pages of events read from the database for live event streams")
            .register(registry);
  }

  /** What a follower asked for; null fields match everything. */
  record Filter(UUID workflowId, String instanceId, List<String> types) {}

  /**
   * A page: the events that match, and the sequence the next page reads after (which moves past
   * events that did not match, and not past an unsettled gap).
   */
  record Page(List<StreamedEvent> events, long next, boolean full) {}

  /** The newest sequence: a follower without Last-Event-ID starts after it. */
  public Uni<Long> newest() {
    return Panache.withSession(
        () ->
            Panache.getSession()
                .chain(session -> session.createNativeQuery(NEWEST, Object.class).getSingleResult())
                .map(value -> whole(value)));
  }

  Uni<Page> after(long after, Filter filter, int limit, Instant now, Duration gapWait) {
    return Panache.withSession(
            () ->
                Panache.getSession()
                    .chain(
                        session ->
                            session
                                .createNativeQuery(PAGE, Object[].class)
                                .setParameter("workflow", filter.workflowId())
                                .setParameter("instance", filter.instanceId())
                                .setParameter(
                                    "types",
                                    filter.types() == null || filter.types().isEmpty()
                                        ? null
                                        : String.join(",", filter.types()))
                                .setParameter("after", after)
                                .setParameter("limit", limit)
                                .getResultList()))
        .invoke(() -> pages.increment())
        .map(rows -> page(rows, after, limit, now.minus(gapWait)));
  }

  private static Page page(List<Object[]> rows, long after, int limit, Instant settledBefore) {
    List<StreamedEvent> events = new ArrayList<>();
    long next = after;
    for (Object[] row : rows) {
      long sequence = whole(row[0]);
      Instant occurredAt = instant(row[4]);
      boolean gap = sequence != next + 1;
      if (gap && occurredAt.isAfter(settledBefore)) {
        // An earlier sequence may still commit: wait for it (or for this one to age).
        return new Page(events, next, false);
      }
      next = sequence;
      if ((Boolean) row[13]) {
        events.add(event(row, sequence, occurredAt));
      }
    }
    return new Page(events, next, rows.size() == limit);
  }

  private static StreamedEvent event(Object[] row, long sequence, Instant occurredAt) {
    return new StreamedEvent(
        sequence,
        (UUID) row[1],
        (UUID) row[2],
        (String) row[3],
        occurredAt,
        (String) row[5],
        integer(row[6]),
        (String) row[7],
        (String) row[8],
        (String) row[9],
        (String) row[10],
        (String) row[11],
        (String) row[12]);
  }
}
