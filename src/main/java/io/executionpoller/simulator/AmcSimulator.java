package io.executionpoller.simulator;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;

/**
 * The state of a simulated AMC: executions per instance queued behind a RUNNING limit, scripts that
 * say how each behaves, issued tokens, injected faults, and counters tests read (calls per
 * execution and per advertiser, peak concurrent status requests, token calls). Time comes from the
 * application clock, so tests move simulated executions by moving the clock.
 *
 * <p>Faults: {@link #scriptFaults} queues faults for matching calls; {@link #setFaultRates} draws
 * random ones from a seeded generator for the operations of {@link #setFaultOperations} (status
 * checks unless told otherwise). A scripted fault wins over a random one, and at most one fault
 * answers a call, after authorization and the latency delay.
 *
 * <p>Results: {@link #scriptResults} and {@link #scriptResultsFor} say which files a succeeded
 * execution delivers (default: one demo CSV of the script's rows); {@link #scriptS3Faults} breaks
 * their downloads.
 */
@ApplicationScoped
public class AmcSimulator {

  /** Key of scripted faults that match every call of their operation. */
  public static final String ANY = "*";

  private static final int HISTORY_LIMIT = 10_000;

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
  private final AtomicInteger listCalls = new AtomicInteger();
  private final AtomicInteger totalApiCalls = new AtomicInteger();
  private final AtomicLong sequence = new AtomicLong();
  private final Map<String, Deque<Instant>> statusCallTimes = new ConcurrentHashMap<>();
  private final Map<String, Deque<Instant>> downloadUrlCallTimes = new ConcurrentHashMap<>();
  private final Map<String, Deque<Instant>> s3GetTimes = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> callsByAdvertiser = new ConcurrentHashMap<>();
  private final Map<String, Deque<Long>> callNanosByAdvertiser = new ConcurrentHashMap<>();
  private final Map<Fault, AtomicInteger> faultsInjected = new ConcurrentHashMap<>();
  private final Map<ScriptKey, Deque<Fault>> faultScripts = new HashMap<>();
  private final Set<Runnable> hangs = ConcurrentHashMap.newKeySet();
  private final Map<String, List<ResultFile>> resultScripts = new ConcurrentHashMap<>();
  private final Map<String, Deque<S3Fault>> s3FaultScripts = new HashMap<>();
  private final Map<String, AtomicInteger> s3Gets = new ConcurrentHashMap<>();
  private final AtomicInteger s3GetsTotal = new AtomicInteger();
  private final Set<HeldResponse> stalls = ConcurrentHashMap.newKeySet();
  private final Set<HeldResponse> heldCalls = ConcurrentHashMap.newKeySet();
  private volatile Duration latency;
  private volatile FaultRates faultRates;
  private volatile Set<Operation> faultOperations;
  private volatile Duration retryAfter;
  private volatile String rejectedCredentials;
  private RandomGenerator random;

  /** Scripted faults wait under (operation, key); key "*" matches every call of the operation. */
  private record ScriptKey(Operation operation, String key) {}

  AmcSimulator(Clock clock, SimulatorConfig config) {
    this.clock = clock;
    this.config = config;
    resetFaults();
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
    final List<SimulatedExecution> all = new ArrayList<>();
    Instant slotFreeSince = Instant.EPOCH;
  }

  // ---- fault injection (tests) ----

  /**
   * Random faults from now on, drawn from the current generator (seeded at start-up and by reset()
   * with {@code poller.simulator.faults.seed}).
   */
  public synchronized void setFaultRates(FaultRates rates) {
    faultRates = rates == null ? FaultRates.none() : rates;
  }

  /** Random faults from now on, drawn from a generator seeded with {@code seed}: replayable. */
  public synchronized void setFaultRates(FaultRates rates, long seed) {
    setFaultRates(rates);
    random = new SplittableRandom(seed);
  }

  public FaultRates faultRates() {
    return faultRates;
  }

  /** The operations random faults apply to (default: STATUS only). */
  public void setFaultOperations(Set<Operation> operations) {
    faultOperations = Set.copyOf(operations);
  }

  public Set<Operation> faultOperations() {
    return faultOperations;
  }

  /**
   * Queues {@code sequence} for calls of {@code operation} under {@code key}: each matching call
   * takes the next fault, later calls get normal answers. The key is the execution id (STATUS,
   * CANCEL, DOWNLOAD_URLS), the workflowId or sqlQuery text (CREATE, as in {@link #scriptFor}), the
   * instance id (LIST), or {@link #ANY}; a call's own key is served before {@link #ANY}. A second
   * call for the same key appends.
   */
  public synchronized void scriptFaults(Operation operation, String key, List<Fault> sequence) {
    faultScripts
        .computeIfAbsent(new ScriptKey(operation, key), k -> new ArrayDeque<>())
        .addAll(sequence);
  }

  /**
   * The token endpoint refuses every refresh with {@code invalid_grant} (400: the refresh token was
   * revoked) or {@code invalid_client} (401: bad client credentials) until {@link
   * #acceptCredentials()}. Tokens already issued keep working; add {@link #revokeTokens()} for a
   * full lock-out.
   */
  public void rejectCredentials(String oauthError) {
    if (!"invalid_grant".equals(oauthError) && !"invalid_client".equals(oauthError)) {
      throw new IllegalArgumentException("invalid_grant or invalid_client, not " + oauthError);
    }
    rejectedCredentials = oauthError;
  }

  public void acceptCredentials() {
    rejectedCredentials = null;
  }

  /** Retry-After of THROTTLE_RETRY_AFTER from now on (whole seconds, rounded up). */
  public void setRetryAfter(Duration retryAfter) {
    this.retryAfter = retryAfter;
  }

  public Duration retryAfter() {
    return retryAfter;
  }

  /** Requests held open by HANG right now; closing the client side releases them. */
  public int hangingRequests() {
    return hangs.size();
  }

  public int listCalls() {
    return listCalls.get();
  }

  /** Faults answered so far, by kind. */
  public Map<Fault, Integer> faultsInjected() {
    Map<Fault, Integer> copy = new EnumMap<>(Fault.class);
    faultsInjected.forEach((fault, count) -> copy.put(fault, count.get()));
    return copy;
  }

  /**
   * Simulator-clock time of each status request for the execution that got past authorization,
   * fault or not (the last 10,000), to check the client's backoff.
   */
  public List<Instant> statusCallTimes(String executionId) {
    return snapshot(statusCallTimes.get(executionId));
  }

  /** AMC API calls per Amazon-Advertising-API-AdvertiserId, counted on arrival. */
  public Map<String, Integer> callsByAdvertiser() {
    Map<String, Integer> copy = new HashMap<>();
    callsByAdvertiser.forEach((advertiser, calls) -> copy.put(advertiser, calls.get()));
    return copy;
  }

  /**
   * System.nanoTime() at the arrival of each AMC API call for the advertiser (the last 10,000), to
   * measure a client-side rate limit in real time.
   */
  public List<Long> callNanosByAdvertiser(String advertiserId) {
    return snapshot(callNanosByAdvertiser.get(advertiserId));
  }

  /** Every AMC API call that arrived, whatever its answer (not the token endpoint, not S3). */
  public int totalApiCalls() {
    return totalApiCalls.get();
  }

  // ---- scripts and inspection (tests, demo) ----

  /**
   * Executions later created for this saved workflow id or ad hoc query text follow this script.
   */
  public void scriptFor(String workflowIdOrQuery, ExecutionScript script) {
    scriptsByWorkflow.put(workflowIdOrQuery, script);
  }

  /**
   * Executions later created for this saved workflow id or ad hoc query text (keyed as in {@link
   * #scriptFor}), or preloaded for this workflow id, deliver these files, in this order. Files
   * without a name are named {@code part-00000.csv}, {@code part-00001.csv}... by position.
   *
   * @throws IllegalArgumentException when two files end up with one name
   */
  public void scriptResults(String workflowIdOrQuery, List<ResultFile> files) {
    resultScripts.put(workflowIdOrQuery, ResultFile.named(files));
  }

  /**
   * The execution delivers these files from now on, in place of what it was created with.
   *
   * @throws IllegalArgumentException when the execution does not exist or two files share a name
   */
  public synchronized void scriptResultsFor(String executionId, List<ResultFile> files) {
    SimulatedExecution execution = executions.get(executionId);
    if (execution == null) {
      throw new IllegalArgumentException("no simulated execution " + executionId);
    }
    execution.resultFiles = ResultFile.named(files);
  }

  /**
   * Queues {@code sequence} for GETs of the execution's result files: each GET the presigned URL
   * lets through takes the next fault, later ones are served normally. The key is an execution id
   * or {@link #ANY}; a GET's own execution is served before {@link #ANY}. A second call appends.
   */
  public synchronized void scriptS3Faults(String executionIdOrAny, List<S3Fault> sequence) {
    s3FaultScripts.computeIfAbsent(executionIdOrAny, k -> new ArrayDeque<>()).addAll(sequence);
  }

  /** Lets every download held by STALL send its rest and end. */
  public void releaseStalls() {
    List<HeldResponse> held = new ArrayList<>(stalls);
    stalls.removeAll(held);
    held.forEach(HeldResponse::resume);
  }

  /** Lets every AMC call held by HELD through: each takes effect now and is answered. */
  public void releaseHeldCalls() {
    List<HeldResponse> held = new ArrayList<>(heldCalls);
    heldCalls.removeAll(held);
    held.forEach(HeldResponse::resume);
  }

  /** AMC calls held by HELD right now. */
  public int heldCalls() {
    return heldCalls.size();
  }

  /** Downloads held by STALL right now. */
  public int stalledResponses() {
    return stalls.size();
  }

  /** GETs of the execution's result files, counted on arrival whatever the answer. */
  public int s3Gets(String executionId) {
    AtomicInteger gets = s3Gets.get(executionId);
    return gets == null ? 0 : gets.get();
  }

  /** GETs of result files of every execution, counted on arrival whatever the answer. */
  public int s3GetsTotal() {
    return s3GetsTotal.get();
  }

  /**
   * What one simulated execution went through, for tests outside the process: its submission, its
   * status now, and when each status check, downloadUrls call and result file GET arrived (the last
   * 10,000 of each; simulator clock).
   */
  public record ExecutionRecord(
      String id,
      String instanceId,
      String workflowId,
      Map<String, String> parameterValues,
      Instant createdAt,
      String status,
      List<Instant> statusChecks,
      List<Instant> downloadUrlCalls,
      List<Instant> s3Gets) {}

  /** Every execution created or preloaded since the last reset, in creation order. */
  public synchronized List<ExecutionRecord> executionRecords() {
    Instant now = clock.instant();
    instances.keySet().forEach(this::advance);
    return executions.values().stream()
        .sorted(Comparator.comparingLong((SimulatedExecution e) -> e.sequence))
        .map(
            e ->
                new ExecutionRecord(
                    e.id,
                    e.instanceId,
                    e.workflowId,
                    e.submission.parameterValues(),
                    e.createdAt,
                    e.statusAt(now),
                    snapshot(statusCallTimes.get(e.id)),
                    snapshot(downloadUrlCallTimes.get(e.id)),
                    snapshot(s3GetTimes.get(e.id))))
        .toList();
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

  /** Create requests that got past authorization, including those answered with a fault. */
  public int createCalls() {
    return createCalls.get();
  }

  public int tokenCalls() {
    return tokenCalls.get();
  }

  public int maxConcurrentStatusRequests() {
    return maxStatusInFlight.get();
  }

  /**
   * Forgets every execution, token, script, fault setting and counter, and closes connections held
   * by HANG or STALL.
   */
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
    listCalls.set(0);
    totalApiCalls.set(0);
    statusCallTimes.clear();
    downloadUrlCallTimes.clear();
    s3GetTimes.clear();
    callsByAdvertiser.clear();
    callNanosByAdvertiser.clear();
    faultsInjected.clear();
    resultScripts.clear();
    s3Gets.clear();
    s3GetsTotal.set(0);
    latency = config.latency();
    resetFaults();
    List<Runnable> held = new ArrayList<>(hangs);
    hangs.clear();
    held.forEach(Runnable::run);
    List<HeldResponse> stalled = new ArrayList<>(stalls);
    stalls.removeAll(stalled);
    stalled.forEach(HeldResponse::abort);
    List<HeldResponse> heldBack = new ArrayList<>(heldCalls);
    heldCalls.removeAll(heldBack);
    heldBack.forEach(HeldResponse::abort);
  }

  /** Makes every issued access token invalid, as a revocation or an early expiry would. */
  public void revokeTokens() {
    tokens.clear();
  }

  // ---- token endpoint ----

  /** Empty when refused; {@link #credentialRejection()} then says whether by rejectCredentials. */
  Optional<String> issueToken(String clientId, String clientSecret, String refreshToken) {
    tokenCalls.incrementAndGet();
    if (rejectedCredentials != null
        || !config.clientId().equals(clientId)
        || !config.clientSecret().equals(clientSecret)
        || !config.refreshToken().equals(refreshToken)) {
      return Optional.empty();
    }
    String token = "Atza|sim-" + UUID.randomUUID();
    tokens.put(token, clock.instant().plus(config.tokenLifetime()));
    return Optional.of(token);
  }

  Optional<String> credentialRejection() {
    return Optional.ofNullable(rejectedCredentials);
  }

  /** TOKEN_EXPIRED: the presented token stops working, as if it had expired a moment ago. */
  void invalidateToken(String token) {
    if (token != null) {
      tokens.remove(token);
    }
  }

  boolean isValidToken(String token) {
    Instant expiresAt = token == null ? null : tokens.get(token);
    return expiresAt != null && clock.instant().isBefore(expiresAt);
  }

  // ---- calls and faults ----

  /** Counts an AMC API call on arrival, before anything can refuse it. */
  void recordArrival(String advertiserId) {
    totalApiCalls.incrementAndGet();
    if (advertiserId != null) {
      callsByAdvertiser.computeIfAbsent(advertiserId, id -> new AtomicInteger()).incrementAndGet();
      append(
          callNanosByAdvertiser.computeIfAbsent(advertiserId, id -> new ArrayDeque<>()),
          System.nanoTime());
    }
  }

  /**
   * Counts a call that got past authorization. TOKEN_EXPIRED answers are not counted here: they are
   * authorization answers, and the client's immediate retry with a fresh token is the real call.
   */
  void recordCall(Operation operation, String key) {
    switch (operation) {
      case CREATE -> createCalls.incrementAndGet();
      case LIST -> listCalls.incrementAndGet();
      case STATUS -> {
        statusCalls.computeIfAbsent(key, id -> new AtomicInteger()).incrementAndGet();
        append(statusCallTimes.computeIfAbsent(key, id -> new ArrayDeque<>()), clock.instant());
      }
      case DOWNLOAD_URLS ->
          append(
              downloadUrlCallTimes.computeIfAbsent(key, id -> new ArrayDeque<>()), clock.instant());
      default -> {
        // Cancel calls are only counted in the totals.
      }
    }
  }

  /** The fault for this call, if any: its own script, then the "*" script, then a random draw. */
  synchronized Optional<Fault> nextFault(Operation operation, String key) {
    Fault fault = null;
    if (key != null) {
      fault = poll(new ScriptKey(operation, key));
    }
    if (fault == null) {
      fault = poll(new ScriptKey(operation, ANY));
    }
    if (fault == null && !faultRates.isNone() && faultOperations.contains(operation)) {
      fault = faultRates.pick(random.nextDouble());
    }
    if (fault != null) {
      faultsInjected.computeIfAbsent(fault, f -> new AtomicInteger()).incrementAndGet();
    }
    return Optional.ofNullable(fault);
  }

  Duration hangFor() {
    return config.faults().hangFor();
  }

  // ---- result files ----

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

  void recordS3Get(String executionId) {
    s3GetsTotal.incrementAndGet();
    s3Gets.computeIfAbsent(executionId, id -> new AtomicInteger()).incrementAndGet();
    append(s3GetTimes.computeIfAbsent(executionId, id -> new ArrayDeque<>()), clock.instant());
  }

  /** The fault for this GET: its execution's script, then the "*" script, else NONE. */
  synchronized S3Fault nextS3Fault(String executionId) {
    S3Fault fault = pollS3(executionId);
    if (fault == null) {
      fault = pollS3(ANY);
    }
    return fault == null ? S3Fault.NONE : fault;
  }

  void stallStarted(HeldResponse response) {
    stalls.add(response);
  }

  void stallEnded(HeldResponse response) {
    stalls.remove(response);
  }

  void heldStarted(HeldResponse call) {
    heldCalls.add(call);
  }

  void heldEnded(HeldResponse call) {
    heldCalls.remove(call);
  }

  /** Keeps {@code release} (it closes the connection) until the hanging request ends. */
  void hangStarted(Runnable release) {
    hangs.add(release);
  }

  void hangEnded(Runnable release) {
    hangs.remove(release);
  }

  // ---- AMC operations ----

  synchronized SimulatedExecution create(String instanceId, SimulatedExecution.Submission request) {
    SimulatedExecution execution = draft(instanceId, request);
    store(execution);
    return execution;
  }

  /**
   * The execution a create would make, without making it: TRUNCATED answers describe it, yet it
   * must not exist afterwards.
   */
  SimulatedExecution draft(String instanceId, SimulatedExecution.Submission request) {
    String key = request.workflowId() != null ? request.workflowId() : request.sqlQuery();
    ExecutionScript script = scriptsByWorkflow.getOrDefault(key, defaultScript());
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

  private static boolean isAfter(SimulatedExecution execution, Cursor cursor, boolean ascending) {
    int compared = execution.createdAt.compareTo(cursor.createdAt());
    if (compared == 0) {
      compared = Long.compare(execution.sequence, cursor.sequence());
    }
    return ascending ? compared > 0 : compared < 0;
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

  private void store(SimulatedExecution execution) {
    executions.put(execution.id, execution);
    InstanceQueue queue =
        instances.computeIfAbsent(execution.instanceId, id -> new InstanceQueue());
    queue.all.add(execution);
    queue.waiting.add(execution);
    advance(execution.instanceId);
  }

  private synchronized void resetFaults() {
    SimulatorConfig.Faults faults = config.faults();
    faultRates = FaultRates.from(faults);
    random = new SplittableRandom(faults.seed());
    setFaultOperations(faults.operations());
    retryAfter = faults.retryAfter();
    faultScripts.clear();
    s3FaultScripts.clear();
    rejectedCredentials = null;
  }

  private Fault poll(ScriptKey key) {
    Deque<Fault> script = faultScripts.get(key);
    if (script == null) {
      return null;
    }
    Fault fault = script.poll();
    if (script.isEmpty()) {
      faultScripts.remove(key);
    }
    return fault;
  }

  private S3Fault pollS3(String key) {
    Deque<S3Fault> script = s3FaultScripts.get(key);
    if (script == null) {
      return null;
    }
    S3Fault fault = script.poll();
    if (script.isEmpty()) {
      s3FaultScripts.remove(key);
    }
    return fault;
  }

  /** Counter histories keep their last entries only, so a long dev-mode run stays small. */
  private static <T> void append(Deque<T> history, T entry) {
    synchronized (history) {
      history.addLast(entry);
      if (history.size() > HISTORY_LIMIT) {
        history.removeFirst();
      }
    }
  }

  private static <T> List<T> snapshot(Deque<T> history) {
    if (history == null) {
      return List.of();
    }
    synchronized (history) {
      return List.copyOf(history);
    }
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
