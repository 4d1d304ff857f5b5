package io.executionpoller.watchdog;

import io.executionpoller.db.FromBlockingThread;
import io.executionpoller.poll.LoopProgress;
import io.executionpoller.poll.PollConfig;
import io.executionpoller.replica.ReplicaIdentity;
import io.executionpoller.results.ResultDownloader;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Instant;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Writes this replica's heartbeat row every poller.watchdog.heartbeat-interval, as a Hibernate
 * Reactive native upsert (ON CONFLICT, which HQL cannot say). The beat runs on a worker thread of
 * the in-memory scheduler or in the shutdown observer, both of which may wait, so it enters the
 * reactive world through {@link FromBlockingThread}.
 */
@Singleton
public class ReplicaHeartbeat {

  private static final Logger LOG = Logger.getLogger(ReplicaHeartbeat.class);

  private static final String BEAT =
      """
      INSERT INTO replicas
             (replica_id, host, version, started_at, heartbeat_at, polling, last_cycle_at,
              last_progress_at, checks_in_flight, downloads_in_flight, stopped_at)
      VALUES (:replica, :host, :version, :startedAt, :heartbeatAt, :polling, :lastCycleAt,
              :lastProgressAt, :checksInFlight, :downloadsInFlight, :stoppedAt)
      ON CONFLICT (replica_id) DO UPDATE
         SET host = EXCLUDED.host, version = EXCLUDED.version, heartbeat_at = EXCLUDED.heartbeat_at,
             polling = EXCLUDED.polling, last_cycle_at = EXCLUDED.last_cycle_at,
             last_progress_at = EXCLUDED.last_progress_at,
             checks_in_flight = EXCLUDED.checks_in_flight,
             downloads_in_flight = EXCLUDED.downloads_in_flight, stopped_at = EXCLUDED.stopped_at
      """;

  private final LoopProgress progress;
  private final ResultDownloader downloads;
  private final PollConfig poll;
  private final Clock clock;
  private final String replicaId;
  private final String version;
  private final String host;
  private final Instant startedAt;

  ReplicaHeartbeat(
      LoopProgress progress,
      ResultDownloader downloads,
      PollConfig poll,
      Clock clock,
      ReplicaIdentity replica,
      @ConfigProperty(name = "quarkus.application.version", defaultValue = "unknown")
          String version) {
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
    } catch (RuntimeException e) {
      // The database may be away; the next beat tries again.
      LOG.debugf("replica heartbeat failed: %s", e.toString());
    }
  }

  /**
   * Writes the heartbeat now and waits for it (call it from a thread that may block); {@code
   * stoppedAt} marks a graceful stop.
   */
  public void beat(Instant stoppedAt) {
    FromBlockingThread.inTransaction(() -> write(stoppedAt));
  }

  private Uni<Integer> write(Instant stoppedAt) {
    LoopProgress.Snapshot snapshot = progress.snapshot();
    Instant heartbeatAt = clock.instant();
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(BEAT)
                    .setParameter("replica", replicaId)
                    .setParameter("host", host)
                    .setParameter("version", version)
                    .setParameter("startedAt", startedAt)
                    .setParameter("heartbeatAt", heartbeatAt)
                    .setParameter("polling", poll.enabled())
                    .setParameter("lastCycleAt", snapshot.lastCycleEnded())
                    .setParameter("lastProgressAt", snapshot.lastProgress())
                    .setParameter("checksInFlight", snapshot.checksInFlight())
                    .setParameter("downloadsInFlight", downloads.inFlight())
                    .setParameter("stoppedAt", stoppedAt)
                    .executeUpdate());
  }

  void onStop(@Observes ShutdownEvent event) {
    try {
      beat(clock.instant());
    } catch (RuntimeException e) {
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
