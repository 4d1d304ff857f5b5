package io.executionpoller.watchdog;

import io.agroal.api.AgroalDataSource;
import io.executionpoller.poll.LoopProgress;
import io.executionpoller.poll.PollConfig;
import io.executionpoller.replica.ReplicaIdentity;
import io.executionpoller.results.ResultDownloader;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/** Writes this replica's heartbeat row every poller.watchdog.heartbeat-interval. */
@Singleton
public class ReplicaHeartbeat {

  private static final Logger LOG = Logger.getLogger(ReplicaHeartbeat.class);

  private static final String BEAT =
      """
      INSERT INTO replicas
             (replica_id, host, version, started_at, heartbeat_at, polling, last_cycle_at,
              last_progress_at, checks_in_flight, downloads_in_flight, stopped_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (replica_id) DO UPDATE
         SET host = EXCLUDED.host, version = EXCLUDED.version, heartbeat_at = EXCLUDED.heartbeat_at,
             polling = EXCLUDED.polling, last_cycle_at = EXCLUDED.last_cycle_at,
             last_progress_at = EXCLUDED.last_progress_at,
             checks_in_flight = EXCLUDED.checks_in_flight,
             downloads_in_flight = EXCLUDED.downloads_in_flight, stopped_at = EXCLUDED.stopped_at
      """;

  private final AgroalDataSource dataSource;
  private final LoopProgress progress;
  private final ResultDownloader downloads;
  private final PollConfig poll;
  private final Clock clock;
  private final String replicaId;
  private final String version;
  private final String host;
  private final Instant startedAt;

  ReplicaHeartbeat(
      AgroalDataSource dataSource,
      LoopProgress progress,
      ResultDownloader downloads,
      PollConfig poll,
      Clock clock,
      ReplicaIdentity replica,
      @ConfigProperty(name = "quarkus.application.version", defaultValue = "unknown")
          String version) {
    this.dataSource = dataSource;
    this.progress = progress;
    this.downloads = downloads;
    this.poll = poll;
    this.clock = clock;
    this.replicaId = replica.id();
    this.version = version;
    this.host = hostName();
    this.startedAt = clock.instant();
  }

  @Scheduled(
      identity = "replica-heartbeat",
      every = "${poller.watchdog.heartbeat-interval}",
      executeWith = Scheduled.SIMPLE,
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void scheduled() {
    try {
      beat(null);
    } catch (SQLException | RuntimeException e) {
      // The database may be away; the next beat tries again.
      LOG.debugf("replica heartbeat failed: %s", e.toString());
    }
  }

  /** Writes the heartbeat now; {@code stoppedAt} marks a graceful stop. */
  public void beat(Instant stoppedAt) throws SQLException {
    LoopProgress.Snapshot snapshot = progress.snapshot();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement beat = connection.prepareStatement(BEAT)) {
      beat.setString(1, replicaId);
      beat.setString(2, host);
      beat.setString(3, version);
      beat.setTimestamp(4, Timestamp.from(startedAt));
      beat.setTimestamp(5, Timestamp.from(clock.instant()));
      beat.setBoolean(6, poll.enabled());
      beat.setTimestamp(
          7, snapshot.lastCycleEnded() == null ? null : Timestamp.from(snapshot.lastCycleEnded()));
      beat.setTimestamp(8, Timestamp.from(snapshot.lastProgress()));
      beat.setInt(9, snapshot.checksInFlight());
      beat.setInt(10, downloads.inFlight());
      beat.setTimestamp(11, stoppedAt == null ? null : Timestamp.from(stoppedAt));
      beat.executeUpdate();
    }
  }

  void onStop(@Observes ShutdownEvent event) {
    try {
      beat(clock.instant());
    } catch (SQLException | RuntimeException e) {
      LOG.debugf("last heartbeat failed: %s", e.toString());
    }
  }

  public String replicaId() {
    return replicaId;
  }

  private static String hostName() {
    String fromEnvironment = System.getenv("HOSTNAME");
    if (fromEnvironment != null && !fromEnvironment.isBlank()) {
      return fromEnvironment;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "unknown";
    }
  }
}
