package io.executionpoller.admin;

import static io.executionpoller.db.NativeColumns.instant;

import io.executionpoller.db.Sessions;
import io.executionpoller.execution.ExecutionStatus;
import io.executionpoller.remote.AccessTokenProvider;
import io.executionpoller.remote.guard.RemoteGate;
import io.executionpoller.replica.ReplicaIdentity;
import io.executionpoller.results.ResultStatus;
import io.executionpoller.stuck.StuckDetector;
import io.executionpoller.watchdog.Replicas;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.sqlclient.DatabaseException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.hibernate.JDBCException;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

/** GET /api/v1/debug: database, backlog, remote instances, credentials, replicas, stuck work. */
@Tag(name = "operations")
@Path("/api/v1/debug")
public class DebugResource {

  private static final Logger LOG = Logger.getLogger(DebugResource.class);
  private static final int STUCK_LIMIT = 100;

  /**
   * Due times are on the injected clock; leases expire on the database's. Aggregates with FILTER
   * and a count of another table: native SQL.
   */
  private static final String BACKLOG =
      """
      SELECT count(*) FILTER (WHERE lease_expires_at IS NULL OR lease_expires_at <= now()) AS due,
             min(next_poll_at) FILTER (WHERE lease_expires_at IS NULL OR lease_expires_at <= now())
               AS oldest_due,
             count(*) FILTER (WHERE lease_expires_at > now()) AS leased,
             (SELECT count(*) FROM execution_results
               WHERE status = ANY(CAST(? AS text[]))) AS results_waiting
        FROM workflow_executions
       WHERE status = ANY(CAST(? AS text[])) AND next_poll_at <= ?
      """;

  /** Result steps still to be downloaded. */
  private static final String[] RESULTS_WAITING = {
    ResultStatus.PENDING.name(), ResultStatus.DOWNLOADING.name()
  };

  private final StuckDetector stuck;
  private final RemoteGate gate;
  private final AccessTokenProvider credentials;
  private final Replicas replicas;
  private final ReplicaIdentity replica;
  private final Clock clock;

  DebugResource(
      StuckDetector stuck,
      RemoteGate gate,
      AccessTokenProvider credentials,
      Replicas replicas,
      ReplicaIdentity replica,
      Clock clock) {
    this.stuck = stuck;
    this.gate = gate;
    this.credentials = credentials;
    this.replicas = replicas;
    this.replica = replica;
    this.clock = clock;
  }

  /**
   * Each part is collected on its own and answers its own failure. The database parts come first,
   * one after another on one session, then the replica list and stuck detection (their features'
   * own reads), each on a session of its own.
   */
  @Operation(
      summary = "Debug snapshot: database, backlog, breakers, credentials, replicas, stuck work")
  @GET
  @Produces(MediaType.APPLICATION_JSON)
  public Uni<DebugSnapshot> snapshot() {
    Instant now = clock.instant();
    AccessTokenProvider.CredentialStatus credential = credentials.status();
    return Sessions.read(
            session ->
                database(session)
                    .chain(
                        database ->
                            backlog(session, now).map(backlog -> new Database(database, backlog))))
        .onFailure()
        .recoverWithItem(Database::unreachable)
        .chain(
            database ->
                replicaList()
                    .chain(
                        replicas ->
                            stuck(now)
                                .map(
                                    stuckWork ->
                                        new DebugSnapshot(
                                            now,
                                            replica.id(),
                                            database.database(),
                                            database.backlog(),
                                            remote(),
                                            new DebugSnapshot.Credentials(
                                                credential.state().name(),
                                                credential.error(),
                                                credential.pausedUntil()),
                                            replicas,
                                            stuckWork))));
  }

  /** The snapshot's database parts, read on one session. */
  private record Database(DebugSnapshot.Database database, DebugSnapshot.Backlog backlog) {

    /** No session could be had: both parts say why. */
    static Database unreachable(Throwable failure) {
      String error = failure(failure);
      return new Database(
          new DebugSnapshot.Database(false, null, error),
          new DebugSnapshot.Backlog(null, null, null, null, null, error));
    }
  }

  private static Uni<DebugSnapshot.Database> database(Mutiny.Session session) {
    long start = System.nanoTime();
    return session
        .createNativeQuery("SELECT 1", Integer.class)
        .getSingleResult()
        .map(
            ignored ->
                new DebugSnapshot.Database(
                    true, Duration.ofNanos(System.nanoTime() - start).toMillis(), null))
        .onFailure()
        .recoverWithItem(failure -> new DebugSnapshot.Database(false, null, failure(failure)));
  }

  private static Uni<DebugSnapshot.Backlog> backlog(Mutiny.Session session, Instant now) {
    return session
        .createNativeQuery(BACKLOG, Object[].class)
        .setParameter(1, RESULTS_WAITING)
        .setParameter(2, ExecutionStatus.names(ExecutionStatus.ACTIVE))
        .setParameter(3, now)
        .getSingleResult()
        .map(
            row -> {
              Instant oldest = instant(row[1]);
              return new DebugSnapshot.Backlog(
                  ((Number) row[0]).longValue(),
                  oldest,
                  oldest == null ? null : Duration.between(oldest, now).toSeconds(),
                  ((Number) row[2]).longValue(),
                  ((Number) row[3]).longValue(),
                  null);
            })
        .onFailure()
        .recoverWithItem(
            failure -> new DebugSnapshot.Backlog(null, null, null, null, null, failure(failure)));
  }

  private List<DebugSnapshot.RemoteInstance> remote() {
    List<DebugSnapshot.RemoteInstance> instances = new ArrayList<>();
    gate.breakerSnapshots()
        .forEach(
            (key, snapshot) ->
                instances.add(
                    new DebugSnapshot.RemoteInstance(
                        key.instance(),
                        key.apiHost(),
                        snapshot.state().name(),
                        snapshot.consecutiveFailures(),
                        snapshot.openUntil(),
                        snapshot.timesOpened())));
    return instances;
  }

  private Uni<DebugSnapshot.ReplicaList> replicaList() {
    return Panache.withSession(replicas::list)
        .map(list -> new DebugSnapshot.ReplicaList(list, null))
        .onFailure()
        .recoverWithItem(failure -> new DebugSnapshot.ReplicaList(List.of(), failure(failure)));
  }

  private Uni<DebugSnapshot.Stuck> stuck(Instant now) {
    return Panache.withSession(
            () ->
                stuck
                    .count(now)
                    .chain(
                        counts ->
                            stuck
                                .find(now, STUCK_LIMIT)
                                .map(
                                    found -> {
                                      Map<String, Long> byReason = new LinkedHashMap<>();
                                      counts.forEach(
                                          (reason, count) -> byReason.put(reason.name(), count));
                                      return new DebugSnapshot.Stuck(found, byReason, null);
                                    })))
        .onFailure()
        .recoverWithItem(failure -> new DebugSnapshot.Stuck(List.of(), Map.of(), failure(failure)));
  }

  /** The SQL state and class, not the message: it may quote connection details. */
  private static String failure(Throwable failure) {
    LOG.debug("debug snapshot: a query failed", failure);
    String state = null;
    for (Throwable cause = failure; cause != null && state == null; cause = cause.getCause()) {
      if (cause instanceof SQLException sql) {
        state = sql.getSQLState();
      } else if (cause instanceof JDBCException jdbc) {
        state = jdbc.getSQLState();
      } else if (cause instanceof DatabaseException database) {
        state = database.getSqlState();
      }
    }
    return failure.getClass().getSimpleName() + " (SQL state " + state + ")";
  }
}
