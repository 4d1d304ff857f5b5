package io.executionpoller.notify;

import static io.executionpoller.db.NativeColumns.instant;
import static io.executionpoller.db.NativeColumns.integer;
import static io.executionpoller.db.NativeColumns.whole;

import io.executionpoller.db.Sessions;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Reads the audit trail for the live stream, one page at a time. The sequence (execution_events.id)
 * is handed out at insert, not at commit, so a transaction held open can commit an event below one
 * already streamed; waiting a while at each gap would still skip it when the transaction outlives
 * the wait. So pages are read in (writing transaction, sequence) order and only up to the safe
 * horizon: events whose transaction is older than every transaction still in progress
 * (pg_snapshot_xmin), all of which have ended. Any event that commits later has a transaction at or
 * past the horizon, so it sorts after everything already read: nothing is skipped, and a long
 * transaction only delays the stream. The stream's ids stay the event sequences; a position is
 * found again from the sequence of the last event read.
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
                    OR e.type = ANY (string_to_array(CAST(:types AS text), ','))),
             CAST(COALESCE(e.xid, '0'::xid8) AS text)
        FROM execution_events e
        JOIN workflow_executions x ON x.id = e.execution_id
        JOIN workflows w ON w.id = x.workflow_id
        JOIN amc_instances i ON i.id = w.amc_instance_id
       WHERE (COALESCE(e.xid, '0'::xid8), e.id) > (CAST(CAST(:xid AS text) AS xid8), :after)
         AND COALESCE(e.xid, '0'::xid8) < pg_snapshot_xmin(pg_current_snapshot())
       ORDER BY COALESCE(e.xid, '0'::xid8), e.id
       LIMIT :limit
      """;

  /** A follower without Last-Event-ID: everything from the transactions still to end. */
  private static final String NEWEST = "SELECT COALESCE(max(id), 0) FROM execution_events";

  private static final String NOW = "SELECT CAST(pg_snapshot_xmin(pg_current_snapshot()) AS text)";

  /**
   * Where a follower that last read event :sequence resumes: after that event's transaction. When
   * housekeeping has deleted it, the newest older event's transaction stands in for it (events of
   * long ago; at worst a few are sent again).
   */
  private static final String POSITION_OF =
      """
      SELECT CAST(COALESCE((SELECT COALESCE(xid, '0'::xid8) FROM execution_events
                             WHERE id <= :sequence ORDER BY id DESC LIMIT 1), '0'::xid8) AS text)
      """;

  private final NotificationMetrics metrics;

  EventStreamStore(NotificationMetrics metrics) {
    this.metrics = metrics;
  }

  /** What a follower asked for; null fields match everything. */
  record Filter(UUID workflowId, String instanceId, List<String> types) {}

  /** A place in the commit-safe order: after event {@code sequence} of transaction {@code xid}. */
  record Position(String xid, long sequence) {}

  /**
   * The newest event's sequence: the dashboard's pages follow the stream from just before they were
   * read (an event of a transaction that commits later is then missed, which costs a page at most
   * one refresh, not an event a follower relies on).
   */
  public Uni<Long> newest() {
    return Sessions.read(
            session -> session.createNativeQuery(NEWEST, Object.class).getSingleResult())
        .map(value -> ((Number) value).longValue());
  }

  /**
   * A page: the events that match, and the position the next page reads after (which moves past
   * events that did not match).
   */
  record Page(List<StreamedEvent> events, Position next, boolean full) {}

  /** Where a follower without Last-Event-ID starts: with the transactions not yet ended. */
  Uni<Position> now() {
    return Sessions.read(session -> session.createNativeQuery(NOW, String.class).getSingleResult())
        // Transaction ids start at 3, so xmin - 1 is a transaction number too.
        .map(xmin -> new Position(Long.toString(Long.parseLong(xmin) - 1), Long.MAX_VALUE));
  }

  /** Where a follower that last read event {@code sequence} resumes. */
  Uni<Position> positionOf(long sequence) {
    return Sessions.read(
            session ->
                session
                    .createNativeQuery(POSITION_OF, String.class)
                    .setParameter("sequence", sequence)
                    .getSingleResult())
        .map(xid -> new Position(xid, sequence));
  }

  Uni<Page> after(Position after, Filter filter, int limit) {
    return Sessions.read(
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
                    .setParameter("xid", after.xid())
                    .setParameter("after", after.sequence())
                    .setParameter("limit", limit)
                    .getResultList())
        .invoke(metrics::streamPageRead)
        .map(rows -> page(rows, after, limit));
  }

  private static Page page(List<Object[]> rows, Position after, int limit) {
    List<StreamedEvent> events = new ArrayList<>();
    Position next = after;
    for (Object[] row : rows) {
      long sequence = whole(row[0]);
      next = new Position((String) row[14], sequence);
      if ((Boolean) row[13]) {
        events.add(event(row, sequence, instant(row[4])));
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
