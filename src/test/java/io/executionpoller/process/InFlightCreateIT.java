package io.executionpoller.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.executionpoller.simulator.AmcSimulator.ExecutionRecord;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A create in flight is never handed to someone else. AMC takes longer to answer a create than a
 * stopping replica's shutdown grace; the replica is stopped (SIGTERM) with its create on the wire
 * and hands its lease back. The other replica must not create the execution again: the row is due
 * only once its settle window (the request timeout or check deadline, plus the listing margin) has
 * passed since the attempt, and by then the first create has landed, so the other replica finds it
 * by listing and adopts it. Exactly one AMC execution exists for the row.
 */
class InFlightCreateIT {

  private static final Duration INTERVAL = Duration.ofSeconds(1);
  private static final Duration LEASE = Duration.ofSeconds(30);

  /** How long AMC holds every create: far beyond the grace, within the request timeout. */
  private static final Duration CREATE_LATENCY = Duration.ofSeconds(8);

  private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(1);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration LISTING_MARGIN = Duration.ofSeconds(2);

  /** The check deadline bounds the sending of a create with the request timeout; kept close. */
  private static final Duration CHECK_DEADLINE = Duration.ofSeconds(12);

  private static final Workload.Kind SLOW_CREATE =
      Workload.succeeds("inflight_create", Duration.ofSeconds(1), Duration.ofSeconds(1), 3);

  @RegisterExtension
  static final AmcPerClass AMC =
      new AmcPerClass(
          "inflight-amc", Map.of("POLLER_SIMULATOR_CREATE_LATENCY", CREATE_LATENCY.toString()));

  @Test
  void shouldCreateOnceWhenAReplicaStopsWithItsCreateOnTheWire() {
    Workload workload = new Workload("ENTITYINFLIGHT").add(SLOW_CREATE, 1, 1);
    workload.script(AMC.get());
    try (ScratchDatabase database = ScratchDatabase.create("inflight_create");
        Daemons daemons = new Daemons()) {
      stopMidCreate(workload, database, daemons);
    }
  }

  private void stopMidCreate(Workload workload, ScratchDatabase database, Daemons daemons) {
    for (String replica : List.of("inflight-1", "inflight-2")) {
      Map<String, String> env =
          DaemonSettings.replica(database, AMC.get(), replica, INTERVAL, LEASE);
      env.put("POLLER_POLL_SHUTDOWN_GRACE", SHUTDOWN_GRACE.toString());
      env.put("POLLER_AMC_REQUEST_TIMEOUT", REQUEST_TIMEOUT.toString());
      env.put("POLLER_AMC_LISTING_MARGIN", LISTING_MARGIN.toString());
      env.put("POLLER_POLL_CHECK_DEADLINE", CHECK_DEADLINE.toString());
      PackagedDaemon daemon = daemons.start(replica, env);
      // One at a time: Quartz's lock rows are created by the first start (see RacingReplicasIT).
      daemon.awaitReady(Duration.ofSeconds(120));
    }
    workload.register(database);

    // Whichever replica claimed the row has written its attempt and sent the create, which AMC
    // holds for CREATE_LATENCY: stop that replica now, its create on the wire.
    Waits.until(
        "a replica wrote its create attempt",
        Duration.ofSeconds(60),
        Duration.ofMillis(20),
        () -> database.count(ATTEMPTED) == 1,
        () -> daemons.tails(25));
    String creator = (String) database.query(ROW).get(0).get("lease_owner");
    daemons.named(creator).stop();
    assertThat(database.count(ATTEMPTED))
        .as("the create was still unanswered when %s stopped", creator)
        .isEqualTo(1);

    Waits.until(
        "the other replica took the row over and has its remote id",
        Duration.ofSeconds(90),
        Duration.ofMillis(200),
        () ->
            database.count(
                    "SELECT count(*) FROM workflow_executions WHERE amc_execution_id IS NOT NULL")
                == 1,
        () -> daemons.tails(25));
    Map<String, Object> row = database.query(ROW).get(0);
    List<ExecutionRecord> created =
        AMC.get().executions().stream()
            .filter(remote -> remote.workflowId().equals(SLOW_CREATE.workflowId()))
            .filter(remote -> row.get("id").toString().equals(remote.parameterValues().get("ref")))
            .toList();
    assertThat(created)
        .as("AMC executions for the row (stopped replica %s)%s", creator, daemons.tails(25))
        .extracting(ExecutionRecord::id)
        .containsExactly((String) row.get("amc_execution_id"));
  }

  private static final String ATTEMPTED =
      "SELECT count(*) FROM workflow_executions"
          + " WHERE submit_attempted_at IS NOT NULL AND amc_execution_id IS NULL";

  private static final String ROW =
      "SELECT id, lease_owner, amc_execution_id FROM workflow_executions";
}
