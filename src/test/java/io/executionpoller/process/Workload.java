package io.executionpoller.process;

import io.executionpoller.simulator.ExecutionScript;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Executions for a process test: kinds of workflow (how AMC runs them and the terminal status they
 * must reach), spread over instances of one advertiser, registered by SQL the way the API would (a
 * PENDING row due now and its REGISTERED event), each carrying its own id as the parameter {@code
 * ref}, so the remote execution AMC creates for it can be told apart from any other.
 */
final class Workload {

  /** A saved workflow, how AMC runs its executions, and where they must end here. */
  record Kind(String workflowId, ExecutionScript script, String expectedStatus) {

    int resultRows() {
      return script.resultRows();
    }

    boolean succeeds() {
      return "SUCCESS".equals(expectedStatus);
    }
  }

  static Kind succeeds(String workflowId, Duration pending, Duration running, int rows) {
    return new Kind(workflowId, ExecutionScript.succeeds(pending, running, rows), "SUCCESS");
  }

  static Kind fails(String workflowId, Duration pending, Duration running) {
    // AMC's wording for a dataset the advertiser may not read: FAILED, never resubmitted.
    return new Kind(workflowId, ExecutionScript.failsWithPermission(pending, running), "FAILED");
  }

  static Kind cancelled(String workflowId, Duration pending, Duration running) {
    return new Kind(
        workflowId, ExecutionScript.ends(pending, running, "CANCELLED", null), "CANCELLED");
  }

  private record Group(Kind kind, String instanceId, int executions) {}

  private final String advertiser;
  private final List<Group> groups = new ArrayList<>();
  private final Map<String, Kind> kinds = new LinkedHashMap<>();

  Workload(String advertiser) {
    this.advertiser = advertiser;
  }

  /** {@code perInstance} executions of {@code kind} on each of {@code instances} instances. */
  Workload add(Kind kind, int instances, int perInstance) {
    kinds.put(kind.workflowId(), kind);
    for (int i = 0; i < instances; i++) {
      groups.add(new Group(kind, advertiser.toLowerCase() + "i" + i, perInstance));
    }
    return this;
  }

  String advertiser() {
    return advertiser;
  }

  Kind kind(String workflowId) {
    return kinds.get(workflowId);
  }

  int size() {
    return groups.stream().mapToInt(Group::executions).sum();
  }

  /** Tells AMC how each kind behaves; before registering, since AMC scripts at creation. */
  void script(SimulatedAmc amc) {
    kinds.values().forEach(kind -> amc.script(kind.workflowId(), kind.script()));
  }

  /** Registers every execution, due now. Needs the schema a daemon migrated at its start. */
  void register(ScratchDatabase database) {
    register(database, Duration.ZERO);
  }

  /**
   * Registers every execution, the first checks of each group due evenly over {@code spread} from
   * now, as work arriving over a while rather than in one instant.
   */
  void register(ScratchDatabase database, Duration spread) {
    for (Group group : groups) {
      database.update(
          """
          WITH account AS (
              INSERT INTO amc_accounts (account_id, marketplace_id, created_at)
              VALUES (?, ?, now())
              ON CONFLICT (account_id, marketplace_id) DO UPDATE SET marketplace_id = EXCLUDED.marketplace_id
              RETURNING id),
          instance AS (
              INSERT INTO amc_instances (instance_id, amc_account_id, created_at)
              SELECT ?, id, now() FROM account
              ON CONFLICT (instance_id, amc_account_id) DO UPDATE SET instance_id = EXCLUDED.instance_id
              RETURNING id),
          workflow AS (
              INSERT INTO workflows (id, amc_instance_id, name, amc_workflow_id, created_at, updated_at)
              SELECT gen_random_uuid(), id, ?, ?, now(), now() FROM instance
              RETURNING id),
          execution AS (
              INSERT INTO workflow_executions
                     (id, workflow_id, status, created_at, updated_at, next_poll_at, parameters)
              SELECT n.id, workflow.id, 'PENDING', now(), now(),
                     now() + n.k * ? * interval '1 millisecond',
                     jsonb_build_object('ref', n.id::text)
                FROM workflow,
                     (SELECT gen_random_uuid() AS id, k FROM generate_series(0, ? - 1) k) n
              RETURNING id)
          INSERT INTO execution_events (execution_id, occurred_at, type, attempt, to_status, message)
          SELECT id, now(), 'REGISTERED', 0, 'PENDING', 'registered by a process test' FROM execution
          """,
          advertiser,
          SimulatedAmc.MARKETPLACE,
          group.instanceId(),
          group.kind().workflowId(),
          group.kind().workflowId(),
          (double) spread.toMillis() / group.executions(),
          group.executions());
    }
  }

  /** Executions of this workload not yet where they must end, results included. */
  long unfinished(ScratchDatabase database) {
    return database.count(
        """
        SELECT count(*) FROM workflow_executions e
          LEFT JOIN execution_results r ON r.execution_id = e.id
         WHERE e.status IN ('PENDING', 'RUNNING')
            OR (e.status = 'SUCCESS' AND (r.status IS NULL OR r.status <> 'STORED'))
        """);
  }
}
