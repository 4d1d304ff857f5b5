package io.executionpoller.watchdog;

import static io.executionpoller.db.Jdbc.instant;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Who is polling, from the heartbeat rows: for GET /api/v1/replicas and the debug snapshot. */
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

  private final AgroalDataSource dataSource;
  private final WatchdogConfig config;
  private final Clock clock;

  Replicas(AgroalDataSource dataSource, WatchdogConfig config, Clock clock) {
    this.dataSource = dataSource;
    this.config = config;
    this.clock = clock;
  }

  public List<Replica> list() throws SQLException {
    Instant aliveAfter =
        clock.instant().minus(config.heartbeatInterval().multipliedBy(MISSED_BEATS));
    List<Replica> replicas = new ArrayList<>();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement query = connection.prepareStatement(REPLICAS);
        ResultSet row = query.executeQuery()) {
      while (row.next()) {
        Instant heartbeat = instant(row, "heartbeat_at");
        Instant stopped = instant(row, "stopped_at");
        replicas.add(
            new Replica(
                row.getString("replica_id"),
                row.getString("host"),
                row.getString("version"),
                instant(row, "started_at"),
                heartbeat,
                stopped == null && heartbeat.isAfter(aliveAfter),
                row.getBoolean("polling"),
                instant(row, "last_cycle_at"),
                instant(row, "last_progress_at"),
                row.getInt("checks_in_flight"),
                row.getInt("downloads_in_flight"),
                stopped));
      }
    }
    return replicas;
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
