package io.executionpoller.simulator;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The state of a simulated AMC: executions per instance queued behind a RUNNING limit, scripts that
 * say how each behaves, issued tokens, and counters tests read (calls per execution, peak
 * concurrent status requests, token calls). Time comes from the application clock, so tests move
 * simulated executions by moving the clock.
 */
@ApplicationScoped
public class AmcSimulator {

  private final Clock clock;
  private final SimulatorConfig config;
  private final Map<String, SimulatedExecution> executions = new HashMap<>();
  private final Map<String, InstanceQueue> instances = new HashMap<>();
  private final Map<String, ExecutionScript> scriptsByWorkflow = new ConcurrentHashMap<>();
  private final Map<String, Instant> tokens = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> statusCalls = new ConcurrentHashMap<>();
  private final AtomicInteger createCalls = new AtomicInteger();
  private final AtomicInteger tokenCalls = new AtomicInteger();
  private final AtomicInteger statusInFlight = new AtomicInteger();
  private final AtomicInteger maxStatusInFlight = new AtomicInteger();
  private volatile Duration latency;

  AmcSimulator(Clock clock, SimulatorConfig config) {
    this.clock = clock;
    this.config = config;
    this.latency = config.latency();
  }

  /** Delay before every AMC API answer. */
  public Duration latency() {
    return latency;
  }

  /** Changes the answer delay at run time (tests measure concurrency with it). */
  public void setLatency(Duration latency) {
    this.latency = latency;
  }

  /** Executions of one instance: waiting (by ready time) and running (by finish time). */
  private static final class InstanceQueue {
    final PriorityQueue<SimulatedExecution> waiting =
        new PriorityQueue<>(Comparator.comparing((SimulatedExecution e) -> e.readyAt));
    final PriorityQueue<SimulatedExecution> running =
        new PriorityQueue<>(Comparator.comparing(SimulatedExecution::finishAt));
    Instant slotFreeSince = Instant.EPOCH;
  }

  // ---- scripts and inspection (tests, demo) ----

  /**
   * Executions later created for this saved workflow id or ad hoc query text follow this script.
   */
  public void scriptFor(String workflowIdOrQuery, ExecutionScript script) {
    scriptsByWorkflow.put(workflowIdOrQuery, script);
  }

  /** Creates a remote execution directly, as if someone else had submitted it. */
  public synchronized String preload(String instanceId, String workflowId, ExecutionScript script) {
    return add(instanceId, workflowId, script).id;
  }

  public int statusCalls(String executionId) {
    AtomicInteger calls = statusCalls.get(executionId);
    return calls == null ? 0 : calls.get();
  }

  public Map<String, Integer> statusCallsByExecution() {
    Map<String, Integer> copy = new HashMap<>();
    statusCalls.forEach((id, calls) -> copy.put(id, calls.get()));
    return copy;
  }

  public int createCalls() {
    return createCalls.get();
  }

  public int tokenCalls() {
    return tokenCalls.get();
  }

  public int maxConcurrentStatusRequests() {
    return maxStatusInFlight.get();
  }

  /** Forgets every execution, token, script and counter. */
  public synchronized void reset() {
    executions.clear();
    instances.clear();
    scriptsByWorkflow.clear();
    tokens.clear();
    statusCalls.clear();
    createCalls.set(0);
    tokenCalls.set(0);
    statusInFlight.set(0);
    maxStatusInFlight.set(0);
    latency = config.latency();
  }

  /** Makes every issued access token invalid, as a revocation or an early expiry would. */
  public void revokeTokens() {
    tokens.clear();
  }

  // ---- token endpoint ----

  Optional<String> issueToken(String clientId, String clientSecret, String refreshToken) {
    tokenCalls.incrementAndGet();
    if (!config.clientId().equals(clientId)
        || !config.clientSecret().equals(clientSecret)
        || !config.refreshToken().equals(refreshToken)) {
      return Optional.empty();
    }
    String token = "Atza|sim-" + UUID.randomUUID();
    tokens.put(token, clock.instant().plus(config.tokenLifetime()));
    return Optional.of(token);
  }

  boolean isValidToken(String token) {
    Instant expiresAt = token == null ? null : tokens.get(token);
    return expiresAt != null && clock.instant().isBefore(expiresAt);
  }

  // ---- AMC operations ----

  synchronized SimulatedExecution create(String instanceId, String workflowId, String sqlQuery) {
    createCalls.incrementAndGet();
    String key = workflowId != null ? workflowId : sqlQuery;
    ExecutionScript script = scriptsByWorkflow.getOrDefault(key, defaultScript());
    String remoteWorkflowId = workflowId != null ? workflowId : "transient_" + UUID.randomUUID();
    return add(instanceId, remoteWorkflowId, script);
  }

  /** Looks an execution up for a status request; counts the request. */
  synchronized Optional<SimulatedExecution> observe(String instanceId, String executionId) {
    statusCalls.computeIfAbsent(executionId, id -> new AtomicInteger()).incrementAndGet();
    return find(instanceId, executionId);
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

  synchronized List<SimulatedExecution> list(String instanceId, String workflowId, Instant since) {
    advance(instanceId);
    List<SimulatedExecution> found = new ArrayList<>();
    for (SimulatedExecution execution : executions.values()) {
      if (execution.instanceId.equals(instanceId)
          && (workflowId == null || workflowId.equals(execution.workflowId))
          && (since == null || !execution.createdAt.isBefore(since))) {
        found.add(execution);
      }
    }
    found.sort(Comparator.comparing((SimulatedExecution e) -> e.createdAt).reversed());
    return found;
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

  void statusRequestStarted() {
    int now = statusInFlight.incrementAndGet();
    maxStatusInFlight.accumulateAndGet(now, Math::max);
  }

  void statusRequestEnded() {
    statusInFlight.decrementAndGet();
  }

  Instant now() {
    return clock.instant();
  }

  SimulatorConfig config() {
    return config;
  }

  private SimulatedExecution add(String instanceId, String workflowId, ExecutionScript script) {
    SimulatedExecution execution =
        new SimulatedExecution(
            UUID.randomUUID().toString(), instanceId, workflowId, script, clock.instant());
    executions.put(execution.id, execution);
    instances.computeIfAbsent(instanceId, id -> new InstanceQueue()).waiting.add(execution);
    advance(instanceId);
    return execution;
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
