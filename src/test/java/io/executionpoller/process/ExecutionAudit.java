package io.executionpoller.process;

import io.executionpoller.simulator.AmcSimulator.ExecutionRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * What must hold of every execution once a process test has let the daemons finish, read from the
 * database and from what AMC saw:
 *
 * <ul>
 *   <li>it reached the terminal status its workflow's script intends, and holds no lease;
 *   <li>its TRANSITION events form one chain PENDING → ... → that status along allowed steps, no
 *       step twice; one REGISTERED and one SUBMITTED event; nothing rejected, no retry;
 *   <li>AMC has exactly one remote execution for it (none created twice), the one it tracks;
 *   <li>a SUCCESS has exactly one RESULT_STORED event and one stored result whose file, segments
 *       and totals all match, row for row and byte for byte (sha256), the file AMC serves; any
 *       other status has no result;
 *   <li>no two AMC calls for it (its create, its status checks) came closer than the poll interval:
 *       two replicas, or a restarted one, never checked it twice for one due time.
 * </ul>
 */
final class ExecutionAudit {

  private static final Set<String> ALLOWED_STEPS =
      Set.of(
          "PENDING>RUNNING",
          "PENDING>FAILED",
          "PENDING>CANCELLED",
          "RUNNING>SUCCESS",
          "RUNNING>FAILED",
          "RUNNING>TIMEOUT",
          "RUNNING>CANCELLED");

  /** Timestamps of two processes on one machine; only rounding separates them. */
  private static final Duration CLOCK_SLACK = Duration.ofMillis(50);

  private final List<String> problems = new ArrayList<>();
  private final Map<UUID, List<Instant>> callsByExecution = new HashMap<>();
  private final Map<String, Long> eventsByReplica = new HashMap<>();

  private ExecutionAudit() {}

  /**
   * Audits every execution of {@code workload} in {@code database} against {@code remote} (AMC's
   * record, read once everything finished), with {@code interval} the daemons' poll interval.
   */
  static ExecutionAudit of(
      ScratchDatabase database,
      Workload workload,
      List<ExecutionRecord> remote,
      SimulatedAmc amc,
      Duration interval) {
    ExecutionAudit audit = new ExecutionAudit();
    audit.run(database, workload, remote, amc, interval);
    return audit;
  }

  /** What is wrong, the first hundred items; one more line counts the rest. */
  List<String> problems() {
    if (problems.size() <= 100) {
      return problems;
    }
    List<String> first = new ArrayList<>(problems.subList(0, 100));
    first.add("... and " + (problems.size() - 100) + " more");
    return first;
  }

  /** Sorted AMC call times (create, then status checks) per execution. */
  Map<UUID, List<Instant>> callsByExecution() {
    return callsByExecution;
  }

  /** Events written per replica (the replica column), to see that every daemon took part. */
  Map<String, Long> eventsByReplica() {
    return eventsByReplica;
  }

  /** Status checks per execution: mean and max, for the report. */
  String checkStatistics() {
    var stats =
        callsByExecution.values().stream()
            .mapToInt(calls -> Math.max(0, calls.size() - 1))
            .summaryStatistics();
    return String.format(
        "status checks per execution: mean %.2f, max %d, over %d executions",
        stats.getAverage(), stats.getMax(), stats.getCount());
  }

  private void run(
      ScratchDatabase database,
      Workload workload,
      List<ExecutionRecord> remote,
      SimulatedAmc amc,
      Duration interval) {
    Map<String, List<ExecutionRecord>> remoteByRef =
        remote.stream()
            .filter(record -> record.parameterValues().containsKey("ref"))
            .collect(Collectors.groupingBy(record -> record.parameterValues().get("ref")));
    Map<UUID, List<Map<String, Object>>> events =
        database
            .query(
                "SELECT execution_id, type, from_status, to_status, attempt, replica"
                    + " FROM execution_events ORDER BY id")
            .stream()
            .collect(Collectors.groupingBy(row -> (UUID) row.get("execution_id")));
    events.values().stream()
        .flatMap(List::stream)
        .filter(row -> row.get("replica") != null)
        .forEach(row -> eventsByReplica.merge((String) row.get("replica"), 1L, Long::sum));
    Map<UUID, Map<String, Object>> results =
        byExecution(database, "SELECT * FROM execution_results");
    Map<UUID, List<Map<String, Object>>> files =
        database.query("SELECT * FROM result_files ORDER BY file_index").stream()
            .collect(Collectors.groupingBy(row -> (UUID) row.get("execution_id")));
    Map<UUID, List<Map<String, Object>>> segments =
        database
            .query(
                """
                SELECT execution_id, file_index, sum(row_count) AS rows,
                       sum(length(data)) AS bytes,
                       encode(sha256(string_agg(data, ''::bytea ORDER BY segment)), 'hex') AS sha256
                  FROM result_segments GROUP BY execution_id, file_index ORDER BY file_index
                """)
            .stream()
            .collect(Collectors.groupingBy(row -> (UUID) row.get("execution_id")));
    Map<String, SimulatedAmc.FileDigest> expectedFiles = new HashMap<>();
    List<Map<String, Object>> executions =
        database.query(
            """
            SELECT e.id, e.status, e.amc_execution_id, e.lease_owner, e.retry_count,
                   e.result_rows, w.amc_workflow_id, i.instance_id
              FROM workflow_executions e
              JOIN workflows w ON w.id = e.workflow_id
              JOIN amc_instances i ON i.id = w.amc_instance_id
            """);
    if (executions.size() != workload.size()) {
      problems.add(
          executions.size() + " executions in the database, " + workload.size() + " registered");
    }
    for (Map<String, Object> execution : executions) {
      UUID id = (UUID) execution.get("id");
      Workload.Kind kind = workload.kind((String) execution.get("amc_workflow_id"));
      String where = "execution " + id + " (" + kind.workflowId() + "): ";
      checkStatus(where, execution, kind);
      checkEvents(where, events.getOrDefault(id, List.of()), kind);
      List<ExecutionRecord> remotes = remoteByRef.getOrDefault(id.toString(), List.of());
      checkRemote(where, id, execution, remotes, interval);
      if (kind.succeeds()) {
        SimulatedAmc.FileDigest expected =
            expectedFiles.computeIfAbsent(
                kind.workflowId(),
                ignored ->
                    onlyFile(
                        amc.fetchResult(
                            (String) execution.get("instance_id"),
                            workload.advertiser(),
                            (String) execution.get("amc_execution_id"))));
        checkResult(
            where,
            execution,
            kind,
            expected,
            results.get(id),
            files.getOrDefault(id, List.of()),
            segments.getOrDefault(id, List.of()));
      } else if (results.containsKey(id)) {
        problems.add(where + "a result step for a " + execution.get("status") + " execution");
      }
    }
  }

  private void checkStatus(String where, Map<String, Object> execution, Workload.Kind kind) {
    if (!kind.expectedStatus().equals(execution.get("status"))) {
      problems.add(
          where + "status " + execution.get("status") + ", expected " + kind.expectedStatus());
    }
    if (execution.get("lease_owner") != null) {
      problems.add(where + "still leased to " + execution.get("lease_owner"));
    }
    if (((Number) execution.get("retry_count")).intValue() != 0) {
      problems.add(where + "resubmitted " + execution.get("retry_count") + " times");
    }
  }

  private void checkEvents(String where, List<Map<String, Object>> events, Workload.Kind kind) {
    Map<String, Long> byType =
        events.stream()
            .collect(Collectors.groupingBy(row -> (String) row.get("type"), Collectors.counting()));
    expectCount(where, byType, "REGISTERED", 1);
    expectCount(where, byType, "SUBMITTED", 1);
    expectCount(where, byType, "RESULT_STORED", kind.succeeds() ? 1 : 0);
    for (String never : List.of("TRANSITION_REJECTED", "UNKNOWN_REMOTE_STATUS", "RETRY")) {
      expectCount(where, byType, never, 0);
    }
    String at = "PENDING";
    Set<String> steps = new HashSet<>();
    for (Map<String, Object> event : events) {
      if (!"TRANSITION".equals(event.get("type"))) {
        continue;
      }
      String step = event.get("from_status") + ">" + event.get("to_status");
      if (!steps.add(step + "@" + event.get("attempt"))) {
        problems.add(where + "transition " + step + " recorded twice");
      }
      if (!Objects.equals(at, event.get("from_status"))) {
        problems.add(where + "transition " + step + " does not continue from " + at);
      }
      if (!ALLOWED_STEPS.contains(step)) {
        problems.add(where + "transition " + step + " is not allowed");
      }
      at = (String) event.get("to_status");
    }
    if (!kind.expectedStatus().equals(at)) {
      problems.add(where + "transitions end at " + at + ", not " + kind.expectedStatus());
    }
  }

  private void checkRemote(
      String where,
      UUID id,
      Map<String, Object> execution,
      List<ExecutionRecord> remotes,
      Duration interval) {
    if (remotes.size() != 1) {
      problems.add(where + remotes.size() + " remote executions at AMC, expected exactly 1");
      return;
    }
    ExecutionRecord remote = remotes.get(0);
    if (!remote.id().equals(execution.get("amc_execution_id"))) {
      problems.add(
          where + "tracks " + execution.get("amc_execution_id") + ", AMC made " + remote.id());
    }
    List<Instant> calls = new ArrayList<>();
    calls.add(remote.createdAt());
    calls.addAll(remote.statusChecks());
    calls.sort(null);
    callsByExecution.put(id, calls);
    for (int i = 1; i < calls.size(); i++) {
      Duration gap = Duration.between(calls.get(i - 1), calls.get(i));
      if (gap.compareTo(interval.minus(CLOCK_SLACK)) < 0) {
        problems.add(
            where
                + "AMC calls "
                + gap.toMillis()
                + " ms apart ("
                + calls.get(i - 1)
                + ", "
                + calls.get(i)
                + "), under the poll interval "
                + interval
                + ": checked twice for one due time");
      }
    }
  }

  private void checkResult(
      String where,
      Map<String, Object> execution,
      Workload.Kind kind,
      SimulatedAmc.FileDigest expected,
      Map<String, Object> result,
      List<Map<String, Object>> files,
      List<Map<String, Object>> segments) {
    long rows = kind.resultRows();
    if (result == null || !"STORED".equals(result.get("status"))) {
      problems.add(where + "result " + (result == null ? "missing" : result.get("status")));
      return;
    }
    if (number(result.get("row_count")) != rows
        || number(result.get("file_count")) != 1
        || number(result.get("byte_size")) != expected.bytes()
        || result.get("lease_owner") != null) {
      problems.add(
          where
              + "result totals "
              + result
              + ", expected 1 file, "
              + rows
              + " rows, "
              + expected.bytes()
              + " bytes");
    }
    if (number(execution.get("result_rows")) != rows) {
      problems.add(where + "result_rows " + execution.get("result_rows") + ", expected " + rows);
    }
    if (files.size() != 1) {
      problems.add(where + files.size() + " result files, expected 1");
      return;
    }
    Map<String, Object> file = files.get(0);
    if (number(file.get("row_count")) != rows
        || number(file.get("byte_size")) != expected.bytes()
        || !expected.sha256().equals(file.get("sha256"))) {
      problems.add(
          where
              + "result file "
              + file
              + " does not match AMC's "
              + expected
              + ", "
              + rows
              + " rows");
    }
    if (segments.size() != 1
        || number(segments.get(0).get("rows")) != rows
        || number(segments.get(0).get("bytes")) != expected.bytes()
        || !expected.sha256().equals(segments.get(0).get("sha256"))) {
      problems.add(
          where + "stored segments " + segments + " do not add up to AMC's file " + expected);
    }
  }

  private void expectCount(String where, Map<String, Long> byType, String type, long expected) {
    long actual = byType.getOrDefault(type, 0L);
    if (actual != expected) {
      problems.add(where + actual + " " + type + " events, expected " + expected);
    }
  }

  private static SimulatedAmc.FileDigest onlyFile(List<SimulatedAmc.FileDigest> files) {
    if (files.size() != 1) {
      throw new IllegalStateException("AMC serves " + files.size() + " files, the test expects 1");
    }
    return files.get(0);
  }

  private static Map<UUID, Map<String, Object>> byExecution(ScratchDatabase database, String sql) {
    Map<UUID, Map<String, Object>> rows = new HashMap<>();
    database.query(sql).forEach(row -> rows.put((UUID) row.get("execution_id"), row));
    return rows;
  }

  private static long number(Object value) {
    return value == null ? -1 : ((Number) value).longValue();
  }
}
