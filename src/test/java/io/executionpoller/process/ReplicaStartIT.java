package io.executionpoller.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * Three replicas of the packaged daemon starting at once on a database nothing has run on yet, as
 * on a first deployment with replicas: 3. Every one of them must become ready (before, one lost the
 * race for Quartz's rows at start and only a Kubernetes restart brought it up).
 */
class ReplicaStartIT {

  private static final int REPLICAS = 3;
  private static final Duration START = Duration.ofSeconds(180);

  /** The Quartz scheduler name Quarkus uses (quarkus.quartz.instance-name's default). */
  private static final String SCHEDULER = "QuarkusQuartzScheduler";

  @Test
  void shouldStartThreeReplicasStartedTogetherOnAnEmptyDatabase() throws Exception {
    try (ScratchDatabase database = ScratchDatabase.create("start_together");
        Daemons daemons = new Daemons()) {
      daemons.addAll(startTogether(database, "together"));
      assertAllReady(daemons);
    }
  }

  /**
   * The race made certain: the schema is migrated (as the first replica's Flyway leaves it) and
   * this test holds Quartz's TRIGGER_ACCESS lock row in an open transaction, exactly as a replica
   * holds it while Quarkus registers its scheduled jobs (it inserts the row first if it is missing,
   * as Quartz does). The three daemons start, reach that lock and wait on it; only then does the
   * test commit, as the first replica would. Every waiting replica then carries on from what it
   * read before the commit: with lazily created lock rows each one inserts the row again (duplicate
   * key qrtz_locks_pkey), and each one that found no job row inserts the job again.
   */
  @Test
  void shouldStartEveryReplicaThatWaitedForAnotherReplicasQuartzStart() throws Exception {
    try (ScratchDatabase database = ScratchDatabase.create("start_waiting");
        Daemons daemons = new Daemons()) {
      Flyway.configure()
          .dataSource(database.jdbcUrl(), ScratchDatabase.USER, ScratchDatabase.PASSWORD)
          .load()
          .migrate();
      try (Connection firstReplica = database.connect()) {
        firstReplica.setAutoCommit(false);
        try (Statement statement = firstReplica.createStatement()) {
          statement.execute(
              "INSERT INTO qrtz_locks (sched_name, lock_name) VALUES ('"
                  + SCHEDULER
                  + "', 'TRIGGER_ACCESS') ON CONFLICT DO NOTHING");
          statement.execute(
              "SELECT * FROM qrtz_locks WHERE sched_name = '"
                  + SCHEDULER
                  + "' AND lock_name = 'TRIGGER_ACCESS' FOR UPDATE");
        }
        daemons.addAll(startTogether(database, "waiting"));
        Waits.until(
            REPLICAS + " replicas waiting on a lock in their Quartz start",
            START,
            Duration.ofMillis(100),
            () -> {
              daemons.forEach(daemon -> assertThat(daemon.isAlive()).isTrue());
              return waitingOnLocks(database) >= REPLICAS;
            },
            () -> daemons.tails(40));
        firstReplica.commit();
      }
      assertAllReady(daemons);
    }
  }

  /** Starts the replicas from threads released together by a barrier. */
  private static List<PackagedDaemon> startTogether(ScratchDatabase database, String name)
      throws Exception {
    CyclicBarrier barrier = new CyclicBarrier(REPLICAS);
    List<CompletableFuture<PackagedDaemon>> starts = new ArrayList<>();
    for (int i = 1; i <= REPLICAS; i++) {
      String replica = name + "-" + i;
      Map<String, String> env = PackagedDaemon.database(database);
      env.put("POLLER_POLL_REPLICA_ID", replica);
      env.put("QUARKUS_DATASOURCE_REACTIVE_MAX_SIZE", "4");
      env.put("QUARKUS_DATASOURCE_JDBC_MAX_SIZE", "6");
      starts.add(
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  barrier.await();
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
                return PackagedDaemon.start("start-" + replica, env);
              }));
    }
    List<PackagedDaemon> daemons = new ArrayList<>();
    for (CompletableFuture<PackagedDaemon> start : starts) {
      daemons.add(start.get());
    }
    return daemons;
  }

  private static void assertAllReady(Daemons daemons) {
    List<String> failed = new ArrayList<>();
    for (PackagedDaemon daemon : daemons) {
      try {
        daemon.awaitReady(START);
      } catch (AssertionError e) {
        failed.add(e.getMessage());
      }
    }
    assertThat(failed).as("replicas that did not become ready").isEmpty();
  }

  /** Sessions of the daemons on this database that wait for a lock. */
  private static long waitingOnLocks(ScratchDatabase database) throws SQLException {
    return database.count(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            + " AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'");
  }
}
