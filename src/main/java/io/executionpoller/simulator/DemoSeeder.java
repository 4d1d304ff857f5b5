package io.executionpoller.simulator;

import io.executionpoller.execution.ExecutionStatus;
import io.quarkus.arc.properties.IfBuildProperty;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * In dev mode, registers a demo account, instance and four workflows whose simulated executions end
 * SUCCEEDED, FAILED, CANCELLED and SUCCEEDED-after-PUBLISHING, so the log shows executions moving
 * to their terminal states without an AMC account.
 */
@ApplicationScoped
@IfBuildProperty(name = SimulatorConfig.INCLUDED, stringValue = "true")
class DemoSeeder {

  private static final Logger LOG = Logger.getLogger(DemoSeeder.class);

  private record Demo(String workflowId, ExecutionScript script) {}

  private final SimulatorConfig config;
  private final AmcSimulator simulator;
  private final Pool pool;
  private final Clock clock;

  DemoSeeder(SimulatorConfig config, AmcSimulator simulator, Pool pool, Clock clock) {
    this.config = config;
    this.simulator = simulator;
    this.pool = pool;
    this.clock = clock;
  }

  void seed(@Observes StartupEvent event) {
    if (!config.enabled() || !config.seedDemo()) {
      return;
    }
    seedNow()
        .subscribe()
        .with(
            ignored -> LOG.info("demo executions registered"),
            failure -> LOG.warnf("demo seeding failed: %s", failure.getMessage()));
  }

  /** Registers the four demo workflows and one execution of each; completes when all are in. */
  public Uni<Void> seedNow() {
    List<Demo> demos =
        List.of(
            new Demo(
                "demo_campaign_reach",
                ExecutionScript.succeeds(Duration.ofSeconds(5), Duration.ofSeconds(20), 12)),
            new Demo(
                "demo_bad_query",
                ExecutionScript.ends(
                    Duration.ofSeconds(5),
                    Duration.ofSeconds(10),
                    "FAILED",
                    "SQL compilation error: unknown column 'clickz'")),
            new Demo(
                "demo_cancelled",
                ExecutionScript.ends(
                    Duration.ofSeconds(10), Duration.ofSeconds(10), "CANCELLED", null)),
            new Demo(
                "demo_publishing",
                new ExecutionScript(
                    Duration.ofSeconds(3),
                    Duration.ofSeconds(15),
                    Duration.ofSeconds(10),
                    "SUCCEEDED",
                    null,
                    3)));
    demos.forEach(demo -> simulator.scriptFor(demo.workflowId(), demo.script()));
    OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    String sql =
        """
        WITH account AS (
            INSERT INTO amc_accounts (account_id, marketplace_id, created_at)
            VALUES ('ENTITYDEMO0001', 'ATVPDKIKX0DER', $1)
            ON CONFLICT (account_id, marketplace_id) DO UPDATE SET marketplace_id = EXCLUDED.marketplace_id
            RETURNING id),
        instance AS (
            INSERT INTO amc_instances (instance_id, amc_account_id, created_at)
            SELECT 'amcdemo001', id, $1 FROM account
            ON CONFLICT (instance_id, amc_account_id) DO UPDATE SET instance_id = EXCLUDED.instance_id
            RETURNING id),
        workflow AS (
            INSERT INTO workflows (id, amc_instance_id, name, amc_workflow_id, created_at, updated_at)
            SELECT $2, id, $3, $3, $1, $1 FROM instance
            RETURNING id),
        execution AS (
            INSERT INTO workflow_executions (id, workflow_id, status, created_at, updated_at, next_poll_at, parameters)
            SELECT $4, id, $6, $1, $1, $1, $5 FROM workflow
            RETURNING id)
        -- Like an execution registered through the API, a demo one starts its audit trail.
        INSERT INTO execution_events (execution_id, occurred_at, type, attempt, to_status, message)
        SELECT id, $1, 'REGISTERED', 0, $6, 'demo execution, to be submitted' FROM execution
        """;
    List<Uni<RowSet<Row>>> inserts =
        demos.stream()
            .map(
                demo ->
                    pool.preparedQuery(sql)
                        .execute(
                            Tuple.of(
                                now,
                                UUID.randomUUID(),
                                demo.workflowId(),
                                UUID.randomUUID(),
                                new JsonObject(),
                                ExecutionStatus.PENDING.name())))
            .toList();
    return Uni.join().all(inserts).andFailFast().replaceWithVoid();
  }
}
