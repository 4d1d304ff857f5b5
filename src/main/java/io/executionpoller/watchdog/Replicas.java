package io.executionpoller.watchdog;

import static io.executionpoller.db.NativeColumns.instant;
import static io.executionpoller.db.NativeColumns.integer;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * Who is polling, from the heartbeat rows: for GET /api/v1/replicas and the debug snapshot. A
 * Hibernate Reactive native query in the caller's session; the rows are written by an upsert
 * ({@link ReplicaHeartbeat}), so they have no entity of their own.
 */
@ApplicationScoped
public class Replicas {

  /** A replica whose heartbeat is older than this many intervals is shown as not alive. */
  private static final int MISSED_BEATS = 3;

  private static final String REPLICAS =
      """
      SELECT replica_id, host, version, started_at, heartbeat_at, polling, last_cycle_at,
             last_progress_at, checks_in_flight, downloads_in_flight, stopped_at
        FROM replicas ORDER BY heartbeat_at DESC LIMIT 1000
      """;

  private final WatchdogConfig config;
  private final Clock clock;

  Replicas(WatchdogConfig config, Clock clock) {
    this.config = config;
    this.clock = clock;
  }

  public Uni<List<Replica>> list() {
    Instant aliveAfter =
        clock.instant().minus(config.heartbeatInterval().multipliedBy(MISSED_BEATS));
    return Panache.getSession()
        .chain(session -> session.createNativeQuery(REPLICAS, Object[].class).getResultList())
        .map(rows -> rows.stream().map(row -> replica(row, aliveAfter)).toList());
  }

  private static Replica replica(Object[] row, Instant aliveAfter) {
    Instant heartbeat = instant(row[4]);
    Instant stopped = instant(row[10]);
    return new Replica(
        (String) row[0],
        (String) row[1],
        (String) row[2],
        instant(row[3]),
        heartbeat,
        stopped == null && heartbeat.isAfter(aliveAfter),
        (Boolean) row[5],
        instant(row[6]),
        instant(row[7]),
        integer(row[8]),
        integer(row[9]),
        stopped);
  }

  /** One replica as its last heartbeat described it. */
  public record Replica(
      String replicaId,
      String host,
      String version,
      Instant startedAt,
      Instant heartbeatAt,
      boolean alive,
      boolean polling,
      Instant lastCycleAt,
      Instant lastProgressAt,
      int checksInFlight,
      int downloadsInFlight,
      Instant stoppedAt) {}
}
