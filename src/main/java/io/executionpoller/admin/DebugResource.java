package io.executionpoller.admin;

import io.agroal.api.AgroalDataSource;
import io.executionpoller.remote.AccessTokenProvider;
import io.executionpoller.remote.guard.RemoteGate;
import io.executionpoller.replica.ReplicaIdentity;
import io.executionpoller.stuck.StuckDetector;
import io.executionpoller.watchdog.Replicas;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

/** GET /api/v1/debug: database, backlog, remote instances, credentials, replicas, stuck work. */
@Tag(name = "operations")
@Path("/api/v1/debug")
public class DebugResource {

  private static final Logger LOG = Logger.getLogger(DebugResource.class);
  private static final int STUCK_LIMIT = 100;

  private static final String BACKLOG =
      """
      SELECT count(*) FILTER (WHERE lease_expires_at IS NULL OR lease_expires_at <= now()) AS due,
             min(next_poll_at) FILTER (WHERE lease_expires_at IS NULL OR lease_expires_at <= now())
               AS oldest_due,
             count(*) FILTER (WHERE lease_expires_at > now()) AS leased,
             (SELECT count(*) FROM execution_results
               WHERE status IN ('PENDING', 'DOWNLOADING')) AS results_waiting
        FROM workflow_executions
       WHERE status IN ('PENDING', 'RUNNING') AND next_poll_at <= ?
      """;

  private final AgroalDataSource dataSource;
  private final StuckDetector stuck;
  private final RemoteGate gate;
  private final AccessTokenProvider credentials;
  private final Replicas replicas;
  private final ReplicaIdentity replica;
  private final Clock clock;

  DebugResource(
      AgroalDataSource dataSource,
      StuckDetector stuck,
      RemoteGate gate,
      AccessTokenProvider credentials,
      Replicas replicas,
      ReplicaIdentity replica,
      Clock clock) {
    this.dataSource = dataSource;
    this.stuck = stuck;
    this.gate = gate;
    this.credentials = credentials;
    this.replicas = replicas;
    this.replica = replica;
    this.clock = clock;
  }

  @Operation(
      summary = "Debug snapshot: database, backlog, breakers, credentials, replicas, stuck work")
  @GET
  @Produces(MediaType.APPLICATION_JSON)
  public DebugSnapshot snapshot() {
    Instant now = clock.instant();
    AccessTokenProvider.CredentialStatus credential = credentials.status();
    return new DebugSnapshot(
        now,
        replica.id(),
        database(),
        backlog(now),
        remote(),
        new DebugSnapshot.Credentials(
            credential.state().name(), credential.error(), credential.pausedUntil()),
        replicaList(),
        stuck(now));
  }

  private DebugSnapshot.Database database() {
    long start = System.nanoTime();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement query = connection.prepareStatement("SELECT 1");
        ResultSet ignored = query.executeQuery()) {
      return new DebugSnapshot.Database(
          true, Duration.ofNanos(System.nanoTime() - start).toMillis(), null);
    } catch (SQLException e) {
      return new DebugSnapshot.Database(false, null, failure(e));
    }
  }

  private DebugSnapshot.Backlog backlog(Instant now) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement query = connection.prepareStatement(BACKLOG)) {
      // Due times are on the injected clock; leases expire on the database's.
      query.setTimestamp(1, Timestamp.from(now));
      try (ResultSet row = query.executeQuery()) {
        row.next();
        Timestamp oldest = row.getTimestamp("oldest_due");
        return new DebugSnapshot.Backlog(
            row.getLong("due"),
            oldest == null ? null : oldest.toInstant(),
            oldest == null ? null : Duration.between(oldest.toInstant(), now).toSeconds(),
            row.getLong("leased"),
            row.getLong("results_waiting"),
            null);
      }
    } catch (SQLException e) {
      return new DebugSnapshot.Backlog(null, null, null, null, null, failure(e));
    }
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

  private DebugSnapshot.ReplicaList replicaList() {
    try {
      return new DebugSnapshot.ReplicaList(replicas.list(), null);
    } catch (SQLException e) {
      return new DebugSnapshot.ReplicaList(List.of(), failure(e));
    }
  }

  private DebugSnapshot.Stuck stuck(Instant now) {
    try {
      Map<String, Long> byReason = new LinkedHashMap<>();
      stuck.count(now).forEach((reason, count) -> byReason.put(reason.name(), count));
      return new DebugSnapshot.Stuck(stuck.find(now, STUCK_LIMIT), byReason, null);
    } catch (SQLException e) {
      return new DebugSnapshot.Stuck(List.of(), Map.of(), failure(e));
    }
  }

  /** The SQL state and class, not the message: it may quote connection details. */
  private static String failure(SQLException e) {
    LOG.debug("debug snapshot: a query failed", e);
    return e.getClass().getSimpleName() + " (SQL state " + e.getSQLState() + ")";
  }
}
