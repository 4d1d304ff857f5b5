package io.executionpoller.simulator;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The executions of the simulated AMC, per instance queued behind a RUNNING limit, and the scripts
 * that say how new ones behave and which result files they deliver. Every read first replays the
 * instance's queue up to the application clock's now, so tests move executions by moving the clock.
 */
final class RemoteExecutions {

  private final Clock clock;
  private final SimulatorConfig config;
  private final Map<String, SimulatedExecution> executions = new HashMap<>();
  private final Map<String, InstanceQueue> instances = new HashMap<>();
  private final Map<String, ExecutionScript> scriptsByWorkflow = new ConcurrentHashMap<>();
  private final Map<String, Deque<ExecutionScript>> scriptQueues = new ConcurrentHashMap<>();
  private final Map<String, List<ResultFile>> resultScripts = new ConcurrentHashMap<>();
  private final Map<String, String> rejectedQueries = new ConcurrentHashMap<>();
  private final QuotaLedger quotas = new QuotaLedger();
  private final AtomicLong sequence = new AtomicLong();

  /** Executions of one instance: waiting (by ready time) and running (by finish time). */
  private static final class InstanceQueue {
    final PriorityQueue<SimulatedExecution> waiting =
        new PriorityQueue<>(Comparator.comparing((SimulatedExecution e) -> e.readyAt));
    final PriorityQueue<SimulatedExecution> running =
        new PriorityQueue<>(Comparator.comparing(SimulatedExecution::finishAt));
    final List<SimulatedExecution> all = new ArrayList<>();
    Instant slotFreeSince = Instant.EPOCH;
  }

  /** Where a page of the list ended: the last execution's creation time and order. */
  record Cursor(Instant createdAt, long sequence) {}

  /**
   * A list request. Creation times are compared at whole seconds, as createTime shows them, and
   * both bounds are inclusive; null means unbounded.
   */
  record ListQuery(
      String instanceId,
      String workflowId,
      Instant minCreationTime,
      Instant maxCreationTime,
      boolean includeCancelled,
      boolean sortAscending,
      int limit,
      Cursor after) {}

  record Page(List<SimulatedExecution> executions, Cursor next) {}

  RemoteExecutions(Clock clock, SimulatorConfig config) {
    this.clock = clock;
    this.config = config;
  }

  // ---- scripts ----

  void scriptFor(String workflowIdOrQuery, ExecutionScript script) {
    scriptsByWorkflow.put(workflowIdOrQuery, script);
  }

  synchronized void scriptEach(String workflowIdOrQuery, List<ExecutionScript> scripts) {
    scriptQueues.put(workflowIdOrQuery, new ArrayDeque<>(scripts));
  }

  void scriptResults(String workflowIdOrQuery, List<ResultFile> files) {
    resultScripts.put(workflowIdOrQuery, ResultFile.named(files));
  }

  synchronized void scriptResultsFor(String executionId, List<ResultFile> files) {
    SimulatedExecution execution = executions.get(executionId);
    if (execution == null) {
      throw new IllegalArgumentException("no simulated execution " + executionId);
    }
    execution.resultFiles = ResultFile.named(files);
  }

  /** The files a succeeded execution delivers: as scripted, else one demo CSV of its rows. */
  synchronized List<ResultFile> resultFiles(SimulatedExecution execution) {
    if (execution.resultFiles != null) {
      return execution.resultFiles;
    }
    return ResultFile.named(List.of(ResultFile.generated(execution.script.resultRows())));
  }

  Optional<ResultFile> resultFile(SimulatedExecution execution, String name) {
    return resultFiles(execution).stream().filter(file -> file.name().equals(name)).findFirst();
  }

  /** Creates (dry runs too) of this saved workflow id or ad hoc query text are refused (400). */
  void rejectQuery(String workflowIdOrQuery, String details) {
    rejectedQueries.put(workflowIdOrQuery, details);
  }

  /**
   * Why AMC would refuse the query of this create as invalid (dry run or not), if it would: as a
   * test scripted it, or, for ad hoc text, when it holds no SELECT at all.
   */
  Optional<String> invalidQuery(SimulatedExecution.Submission request) {
    String key = request.workflowId() != null ? request.workflowId() : request.sqlQuery();
    String scripted = rejectedQueries.get(key);
    if (scripted != null) {
      return Optional.of(scripted);
    }
    if (request.sqlQuery() != null && !request.sqlQuery().toUpperCase().contains("SELECT")) {
      return Optional.of("SQL compilation error: line 1:0 no viable alternative: expected SELECT");
    }
    return Optional.empty();
  }

  synchronized void enforceQuotas(SimulatedQuotas limits) {
    quotas.enforce(limits);
  }

  synchronized int quotaBreaches() {
    return quotas.breaches();
  }

  // ---- AMC operations ----

  synchronized SimulatedExecution create(String instanceId, SimulatedExecution.Submission request) {
    SimulatedExecution execution = draft(instanceId, request);
    Deque<ExecutionScript> queue = scriptQueues.get(scriptKey(request));
    if (queue != null) {
      queue.poll();
    }
    store(execution);
    return execution;
  }

  /**
   * Creates the execution unless that would go over a quota being enforced: then the refusal text,
   * counted as a breach. Checked and made under one lock, as AMC would.
   */
  synchronized QuotaChecked createWithinQuotas(
      String instanceId, String accountId, SimulatedExecution.Submission request) {
    quotas.remember(instanceId, accountId);
    instances.keySet().forEach(this::advance);
    int instanceActive = 0;
    int accountActive = 0;
    for (SimulatedExecution execution : executions.values()) {
      if (execution.isActive()) {
        if (execution.instanceId.equals(instanceId)) {
          instanceActive++;
          accountActive++;
        } else if (quotas.sameAccount(execution.instanceId, accountId)) {
          accountActive++;
        }
      }
    }
    boolean adHoc = request.sqlQuery() != null;
    Instant now = clock.instant();
    Optional<String> refusal =
        quotas.refusal(instanceId, adHoc, instanceActive, accountActive, now);
    if (refusal.isPresent()) {
      return new QuotaChecked(null, refusal.get());
    }
    quotas.created(instanceId, adHoc, now);
    return new QuotaChecked(create(instanceId, request), null);
  }

  /** A create within the quotas ({@code execution}), or the quota it would have broken. */
  record QuotaChecked(SimulatedExecution execution, String refusal) {}

  /**
   * The execution a create would make, without making it: TRUNCATED answers describe it, yet it
   * must not exist afterwards.
   */
  SimulatedExecution draft(String instanceId, SimulatedExecution.Submission request) {
    String key = scriptKey(request);
    Deque<ExecutionScript> queue = scriptQueues.get(key);
    ExecutionScript script =
        queue != null && !queue.isEmpty()
            ? queue.peek()
            : scriptsByWorkflow.getOrDefault(key, defaultScript());
    String remoteWorkflowId =
        request.workflowId() != null ? request.workflowId() : "transient_" + UUID.randomUUID();
    SimulatedExecution execution =
        new SimulatedExecution(
            UUID.randomUUID().toString(),
            instanceId,
            remoteWorkflowId,
            request,
            script,
            clock.instant(),
            sequence.incrementAndGet());
    execution.resultFiles = resultScripts.get(key);
    return execution;
  }

  private static String scriptKey(SimulatedExecution.Submission request) {
    return request.workflowId() != null ? request.workflowId() : request.sqlQuery();
  }

  /** Creates an execution directly, as if someone else had submitted it. */
  synchronized SimulatedExecution preload(
      String instanceId, String workflowId, ExecutionScript script) {
    SimulatedExecution execution =
        new SimulatedExecution(
            UUID.randomUUID().toString(),
            instanceId,
            workflowId,
            SimulatedExecution.Submission.savedWorkflow(workflowId),
            script,
            clock.instant(),
            sequence.incrementAndGet());
    execution.resultFiles = workflowId == null ? null : resultScripts.get(workflowId);
    store(execution);
    return execution;
  }

  synchronized Optional<SimulatedExecution> find(String instanceId, String executionId) {
    SimulatedExecution execution = executions.get(executionId);
    if (execution == null || !execution.instanceId.equals(instanceId)) {
      return Optional.empty();
    }
    advance(instanceId);
    return Optional.of(execution);
  }

  synchronized Optional<SimulatedExecution> findAnywhere(String executionId) {
    SimulatedExecution execution = executions.get(executionId);
    return execution == null ? Optional.empty() : find(execution.instanceId, executionId);
  }

  /** Every execution, brought up to now, in creation order, each read under this lock. */
  synchronized <T> List<T> all(Function<SimulatedExecution, T> read) {
    instances.keySet().forEach(this::advance);
    return executions.values().stream()
        .sorted(Comparator.comparingLong((SimulatedExecution e) -> e.sequence))
        .map(read)
        .toList();
  }

  synchronized Page list(ListQuery query) {
    InstanceQueue queue = instances.get(query.instanceId());
    if (queue == null) {
      return new Page(List.of(), null);
    }
    advance(query.instanceId());
    Instant now = clock.instant();
    Comparator<SimulatedExecution> order =
        Comparator.comparing((SimulatedExecution e) -> e.createdAt)
            .thenComparingLong(e -> e.sequence);
    if (!query.sortAscending()) {
      order = order.reversed();
    }
    List<SimulatedExecution> found = new ArrayList<>();
    for (SimulatedExecution execution : queue.all) {
      Instant created = execution.createdAt.truncatedTo(ChronoUnit.SECONDS);
      if ((query.workflowId() == null || query.workflowId().equals(execution.workflowId))
          && (query.minCreationTime() == null || !created.isBefore(query.minCreationTime()))
          && (query.maxCreationTime() == null || !created.isAfter(query.maxCreationTime()))
          && (query.includeCancelled() || !"CANCELLED".equals(execution.statusAt(now)))
          && (query.after() == null || isAfter(execution, query.after(), query.sortAscending()))) {
        found.add(execution);
      }
    }
    found.sort(order);
    if (found.size() <= query.limit()) {
      return new Page(found, null);
    }
    List<SimulatedExecution> page = new ArrayList<>(found.subList(0, query.limit()));
    SimulatedExecution last = page.get(page.size() - 1);
    return new Page(page, new Cursor(last.createdAt, last.sequence));
  }

  /** Whether {@link #cancel} would succeed, without cancelling (TRUNCATED answers to a cancel). */
  synchronized boolean isCancellable(SimulatedExecution execution) {
    advance(execution.instanceId);
    return execution.isActive();
  }

  /** Cancels an active execution; false when it is already terminal. */
  synchronized boolean cancel(SimulatedExecution execution) {
    advance(execution.instanceId);
    if (!execution.isActive()) {
      return false;
    }
    execution.cancelled = true;
    InstanceQueue queue = instances.get(execution.instanceId);
    queue.waiting.remove(execution);
    if (queue.running.remove(execution)) {
      queue.slotFreeSince = clock.instant();
    }
    return true;
  }

  /** Forgets every execution and script. */
  synchronized void clear() {
    executions.clear();
    instances.clear();
    scriptsByWorkflow.clear();
    scriptQueues.clear();
    resultScripts.clear();
    rejectedQueries.clear();
    quotas.clear();
  }

  private static boolean isAfter(SimulatedExecution execution, Cursor cursor, boolean ascending) {
    int compared = execution.createdAt.compareTo(cursor.createdAt());
    if (compared == 0) {
      compared = Long.compare(execution.sequence, cursor.sequence());
    }
    return ascending ? compared > 0 : compared < 0;
  }

  private void store(SimulatedExecution execution) {
    executions.put(execution.id, execution);
    InstanceQueue queue =
        instances.computeIfAbsent(execution.instanceId, id -> new InstanceQueue());
    queue.all.add(execution);
    queue.waiting.add(execution);
    advance(execution.instanceId);
  }

  /**
   * Replays the instance's queue up to now in time order: finished runs free their slots, ready
   * executions start as slots allow. Costs O(log n) per change, O(1) when nothing happens.
   */
  private void advance(String instanceId) {
    InstanceQueue queue = instances.get(instanceId);
    if (queue == null) {
      return;
    }
    Instant now = clock.instant();
    int limit = config.runningLimitPerInstance();
    while (true) {
      SimulatedExecution finishing = queue.running.peek();
      Instant finishAt = finishing == null ? null : finishing.finishAt();
      SimulatedExecution next = queue.waiting.peek();
      Instant startAt = null;
      if (next != null && queue.running.size() < limit) {
        startAt = later(next.readyAt, queue.slotFreeSince);
      }
      boolean canFinish = finishAt != null && !finishAt.isAfter(now);
      boolean canStart = startAt != null && !startAt.isAfter(now);
      if (canFinish && (!canStart || !finishAt.isAfter(startAt))) {
        queue.running.poll();
        finishing.finishedAt = finishAt;
        queue.slotFreeSince = later(queue.slotFreeSince, finishAt);
      } else if (canStart) {
        queue.waiting.poll();
        next.startedAt = startAt;
        if (next.script.runningFor().isZero() && next.script.publishingFor().isZero()) {
          next.finishedAt = startAt;
        } else {
          queue.running.add(next);
        }
      } else {
        return;
      }
    }
  }

  private ExecutionScript defaultScript() {
    return ExecutionScript.succeeds(
        config.defaultPending(), config.defaultRunning(), config.defaultResultRows());
  }

  private static Instant later(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }
}
