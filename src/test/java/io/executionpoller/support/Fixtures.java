package io.executionpoller.support;

import static io.executionpoller.support.Api.operator;

import io.agroal.api.AgroalDataSource;
import io.executionpoller.remote.FreshRemoteState;
import io.executionpoller.simulator.AmcSimulator;
import io.executionpoller.simulator.ExecutionScript;
import io.restassured.http.ContentType;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;

/** Registers work through the real API and reads the database back over JDBC. */
@ApplicationScoped
public class Fixtures {

  public static final String INSTANCE = "amcinst01";
  public static final String ADVERTISER = "ENTITY1AA1AA11AAA1";
  public static final String MARKETPLACE = "ATVPDKIKX0DER";

  private final AgroalDataSource dataSource;
  private final AmcSimulator simulator;
  private final Clock clock;

  Fixtures(AgroalDataSource dataSource, AmcSimulator simulator, Clock clock) {
    this.dataSource = dataSource;
    this.simulator = simulator;
    this.clock = clock;
  }

  /**
   * Empties every table the daemon writes and forgets the simulator's state, the breakers, rate
   * limits and any credential pause.
   */
  public void reset() {
    simulator.reset();
    FreshRemoteState.startOver();
    update(
        "TRUNCATE bulk_jobs, execution_events, workflow_executions, workflows, amc_instances,"
            + " amc_accounts"
            + " RESTART IDENTITY CASCADE");
  }

  /** Drops the cached access token, so the next call must go to the token endpoint. */
  public void forgetCachedToken() {
    FreshRemoteState.forgetCredentials();
  }

  public UUID savedWorkflow(String remoteWorkflowId) {
    return workflow(Map.of("workflowId", remoteWorkflowId));
  }

  /** A saved workflow with its own runtime limit and warning threshold. */
  public UUID savedWorkflowWithLimits(String remoteWorkflowId, int maxSeconds, int warningSeconds) {
    return workflow(
        Map.of(
            "workflowId", remoteWorkflowId,
            "maxRuntimeSeconds", maxSeconds,
            "warningThresholdSeconds", warningSeconds));
  }

  /** A saved workflow on another AMC instance of the same account. */
  public UUID savedWorkflow(String remoteWorkflowId, String instanceId) {
    return workflow(Map.of("workflowId", remoteWorkflowId, "instanceId", instanceId));
  }

  public UUID adHocWorkflow(String sqlQuery) {
    return workflow(Map.of("sqlQuery", sqlQuery));
  }

  /** A workflow registered through the API with these fields plus the fixture account. */
  public UUID workflow(Map<String, Object> source) {
    Map<String, Object> body = new HashMap<>(source);
    body.putIfAbsent("instanceId", INSTANCE);
    body.put("advertiserId", ADVERTISER);
    body.put("marketplaceId", MARKETPLACE);
    String id =
        operator()
            .contentType(ContentType.JSON)
            .body(body)
            .post("/api/v1/workflows")
            .then()
            .statusCode(201)
            .extract()
            .path("id");
    return UUID.fromString(id);
  }

  /** A remote execution already submitted elsewhere, and the local row that tracks it. */
  public record Tracked(UUID execution, String remoteId) {}

  /**
   * Saves workflow {@code remoteWorkflowId}, has the simulator run one execution of it for two
   * hours (RUNNING once checked), and tracks it: the usual start of a check-path test.
   */
  public Tracked trackLongRunning(String remoteWorkflowId) {
    UUID workflow = savedWorkflow(remoteWorkflowId);
    String remoteId =
        simulator.preload(
            INSTANCE,
            remoteWorkflowId,
            ExecutionScript.succeeds(Duration.ZERO, Duration.ofHours(2), 1));
    return new Tracked(track(workflow, remoteId), remoteId);
  }

  public UUID submit(UUID workflowId) {
    return execution(Map.of("workflowId", workflowId.toString()));
  }

  public UUID track(UUID workflowId, String amcExecutionId) {
    return execution(Map.of("workflowId", workflowId.toString(), "amcExecutionId", amcExecutionId));
  }

  private UUID execution(Map<String, Object> body) {
    String id =
        operator()
            .contentType(ContentType.JSON)
            .body(body)
            .post("/api/v1/executions")
            .then()
            .statusCode(201)
            .extract()
            .path("id");
    return UUID.fromString(id);
  }

  /** Executions AMC already runs, and the rows that track them (in no particular order). */
  public record TrackedMany(UUID workflow, List<UUID> executions, List<String> remoteIds) {}

  /**
   * Saves workflow {@code remoteWorkflowId}, has the simulator run {@code count} executions of it,
   * the i-th by {@code script.apply(i)}, and tracks them all in one statement.
   */
  public TrackedMany trackMany(
      String remoteWorkflowId, int count, IntFunction<ExecutionScript> script) {
    UUID workflow = savedWorkflow(remoteWorkflowId);
    List<String> remoteIds = preloadMany(remoteWorkflowId, count, script);
    return new TrackedMany(workflow, trackMany(workflow, remoteIds), remoteIds);
  }

  /**
   * Has the simulator run {@code count} executions of {@code remoteWorkflowId} on the fixture
   * instance, the i-th by {@code script.apply(i)}; returns their remote ids.
   */
  public List<String> preloadMany(
      String remoteWorkflowId, int count, IntFunction<ExecutionScript> script) {
    return IntStream.range(0, count)
        .mapToObj(i -> simulator.preload(INSTANCE, remoteWorkflowId, script.apply(i)))
        .toList();
  }

  /** Inserts many tracked executions in one statement (the API is exercised elsewhere). */
  public List<UUID> trackMany(UUID workflowId, List<String> amcExecutionIds) {
    List<UUID> ids = new ArrayList<>();
    String sql =
        "INSERT INTO workflow_executions (id, workflow_id, amc_execution_id, status, created_at,"
            + " updated_at, next_poll_at) SELECT gen_random_uuid(), ?, remote, 'PENDING',"
            + " ?, ?, ? FROM unnest(?::text[]) AS remote RETURNING id";
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(sql)) {
      Timestamp now = Timestamp.from(clock.instant());
      statement.setObject(1, workflowId);
      statement.setTimestamp(2, now);
      statement.setTimestamp(3, now);
      statement.setTimestamp(4, now);
      statement.setArray(5, connection.createArrayOf("text", amcExecutionIds.toArray()));
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          ids.add(rows.getObject(1, UUID.class));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return ids;
  }

  /** The execution row as column name to value. */
  public Map<String, Object> execution(UUID id) {
    List<Map<String, Object>> rows = query("SELECT * FROM workflow_executions WHERE id = ?", id);
    if (rows.isEmpty()) {
      throw new AssertionError("no execution " + id);
    }
    return rows.get(0);
  }

  /** A timestamp column of the execution row. */
  public Instant instant(UUID id, String column) {
    Object value = execution(id).get(column);
    return value == null ? null : ((Timestamp) value).toInstant();
  }

  public int intColumn(UUID id, String column) {
    return ((Number) execution(id).get(column)).intValue();
  }

  public String status(UUID id) {
    return (String) execution(id).get("status");
  }

  /** Events of one execution in sequence order, as "TYPE from->to" strings. */
  public List<String> events(UUID id) {
    List<String> events = new ArrayList<>();
    for (Map<String, Object> row :
        query(
            "SELECT type, from_status, to_status FROM execution_events WHERE execution_id = ? ORDER BY id",
            id)) {
      String transition =
          row.get("from_status") == null && row.get("to_status") == null
              ? ""
              : " " + row.get("from_status") + "->" + row.get("to_status");
      events.add(row.get("type") + transition);
    }
    return events;
  }

  /** Sessions of this database waiting for a lock right now. */
  public long lockWaiters() {
    return count(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            + " AND wait_event_type = 'Lock'");
  }

  /**
   * Waits until at least {@code sessions} sessions of this database wait for a lock: the requests a
   * test started have reached the row its own open transaction holds.
   */
  public void awaitLockWaiters(int sessions) {
    Awaitility.await("sessions waiting for a lock")
        .atMost(Duration.ofSeconds(60))
        .until(() -> lockWaiters() >= sessions);
  }

  public List<Map<String, Object>> query(String sql, Object... params) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        statement.setObject(i + 1, params[i]);
      }
      try (ResultSet rows = statement.executeQuery()) {
        List<Map<String, Object>> result = new ArrayList<>();
        int columns = rows.getMetaData().getColumnCount();
        while (rows.next()) {
          Map<String, Object> row = new HashMap<>();
          for (int c = 1; c <= columns; c++) {
            row.put(rows.getMetaData().getColumnLabel(c), rows.getObject(c));
          }
          result.add(row);
        }
        return result;
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  public long count(String sql, Object... params) {
    return ((Number) query(sql, params).get(0).values().iterator().next()).longValue();
  }

  public void update(String sql) {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
