package io.executionpoller.poll;

import static org.assertj.core.api.Assertions.assertThat;

import io.agroal.api.AgroalDataSource;
import io.executionpoller.support.Fixtures;
import io.executionpoller.support.PostgresResource;
import io.executionpoller.support.TestClock;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Fairness across instances holds with a thousand of them. */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class FairClaimTest {

  private static final Duration AWAIT = Duration.ofSeconds(60);
  private static final int INSTANCES = 1000;
  private static final int CROWDED_DUE = 1000;
  private static final int BATCH = 100;

  @Inject Fixtures fixtures;
  @Inject TestClock clock;
  @Inject ExecutionStore store;
  @Inject AgroalDataSource dataSource;

  @BeforeEach
  void clean() {
    fixtures.reset();
  }

  /**
   * One instance has 1,000 executions due, each overdue longer than any other's; 999 instances have
   * one each. While more instances than a batch have work due, every claim of 100 takes one
   * execution from each of 100 instances, and all 999 quiet instances are served within the eleven
   * claims that 999 / 99 calls for, not after the crowded instance's 1,000.
   */
  @Test
  void shouldServeEveryOneOfAThousandInstancesBeforeAnyTwiceInAClaim() throws SQLException {
    Instant now = clock.instant();
    seed(now);

    Set<String> quietServed = new HashSet<>();
    int crowdedServed = 0;
    for (int claim = 1; claim <= 11; claim++) {
      List<ClaimedExecution> claims =
          store.claim("fair", now, Duration.ofMinutes(2), BATCH).await().atMost(AWAIT);
      List<String> instances = new ArrayList<>();
      for (ClaimedExecution execution : claims) {
        instances.add(execution.target().instanceId());
      }
      if (claim <= 10) {
        assertThat(claims).hasSize(BATCH);
        assertThat(new HashSet<>(instances))
            .as("claim %d: one execution from each of %d instances", claim, BATCH)
            .hasSize(BATCH);
      }
      for (String instance : instances) {
        if (instance.equals("fair-crowded")) {
          crowdedServed += claim <= 10 ? 1 : 0;
        } else {
          quietServed.add(instance);
        }
      }
    }

    assertThat(quietServed).as("every quiet instance within eleven claims").hasSize(INSTANCES - 1);
    assertThat(crowdedServed)
        .as("one a claim while a hundred instances had work due")
        .isEqualTo(10);
  }

  /**
   * A claim of ten among a thousand instances with due work reads the (instance, next check) index
   * on the order of the batch, not once per instance: counted by PostgreSQL in the claim's own
   * transaction (rolled back), the index scans it starts stay far below the thousand a probe per
   * instance would take, and it still takes one execution from each of ten instances.
   */
  @Test
  void shouldProbeInstancesOnTheOrderOfTheBatchNotOncePerInstance() throws SQLException {
    Instant now = clock.instant();
    seed(now);
    int batch = 10;

    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      execute(
          connection,
          "PREPARE claim_probe(timestamptz, int, text, float8, float8, bigint) AS "
              + ExecutionStore.CLAIM);
      List<String> instances = new ArrayList<>();
      // Counts not yet flushed to the shared statistics add up across transactions: the claim's
      // own are the difference.
      long scansBefore = instanceIndexScans(connection);
      // EXECUTE takes no bound parameters: the values are written into it.
      try (PreparedStatement claim =
              connection.prepareStatement(
                  "EXECUTE claim_probe('" + now + "', " + batch + ", 'probe', 120, 30, 0)");
          ResultSet rows = claim.executeQuery()) {
        while (rows.next()) {
          instances.add(rows.getString("instance_id"));
        }
      }
      long scans = instanceIndexScans(connection) - scansBefore;
      connection.rollback();
      execute(connection, "DEALLOCATE claim_probe");

      assertThat(new HashSet<>(instances)).as("one execution from each of ten").hasSize(batch);
      assertThat(scans)
          .as("index scans of one claim of %d among %d instances", batch, INSTANCES)
          .isLessThan(100);
    }
  }

  private static long instanceIndexScans(Connection connection) throws SQLException {
    try (PreparedStatement count =
            connection.prepareStatement(
                "SELECT pg_stat_get_xact_numscans("
                    + "'workflow_executions_instance_due_idx'::regclass)");
        ResultSet row = count.executeQuery()) {
      row.next();
      return row.getLong(1);
    }
  }

  /** The instances, one workflow each, and their due executions, in a few statements. */
  private void seed(Instant now) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      execute(
          connection,
          "INSERT INTO amc_accounts (account_id, marketplace_id, created_at)"
              + " VALUES ('FAIRACCOUNT', 'ATVPDKIKX0DER', now())");
      execute(
          connection,
          "INSERT INTO amc_instances (instance_id, amc_account_id, created_at)"
              + " SELECT CASE WHEN g = 1 THEN 'fair-crowded' ELSE 'fair-' || g END,"
              + " (SELECT id FROM amc_accounts WHERE account_id = 'FAIRACCOUNT'), now()"
              + " FROM generate_series(1, "
              + INSTANCES
              + ") g");
      execute(
          connection,
          "INSERT INTO workflows (id, amc_instance_id, amc_workflow_id, created_at, updated_at)"
              + " SELECT gen_random_uuid(), i.id, 'wf_fair', now(), now() FROM amc_instances i"
              + " WHERE i.instance_id LIKE 'fair-%'");
      try (PreparedStatement due =
          connection.prepareStatement(
              "INSERT INTO workflow_executions (id, workflow_id, amc_execution_id, status,"
                  + " created_at, updated_at, next_poll_at)"
                  + " SELECT gen_random_uuid(), w.id, 'run-' || i.instance_id || '-' || n,"
                  + " 'RUNNING', ?, ?, ?::timestamptz - make_interval(secs => CASE WHEN i.instance_id ="
                  + " 'fair-crowded' THEN 3600 + n ELSE 60 END)"
                  + " FROM workflows w JOIN amc_instances i ON i.id = w.amc_instance_id"
                  + " CROSS JOIN LATERAL generate_series(1, CASE WHEN i.instance_id ="
                  + " 'fair-crowded' THEN "
                  + CROWDED_DUE
                  + " ELSE 1 END) n"
                  + " WHERE i.instance_id LIKE 'fair-%'")) {
        Timestamp at = Timestamp.from(now);
        due.setTimestamp(1, at);
        due.setTimestamp(2, at);
        due.setTimestamp(3, at);
        due.executeUpdate();
      }
      execute(connection, "ANALYZE workflow_executions");
    }
  }

  private static void execute(Connection connection, String sql) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.execute();
    }
  }
}
