package io.executionpoller.simulator;

import io.quarkus.arc.properties.IfBuildProperty;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A simulated AMC, as tests drive and read it. Its state lives in one part per concern: the
 * executions and their scripts ({@link RemoteExecutions}), issued tokens ({@link TokenIssuer}),
 * injected faults ({@link FaultPlan}), exchanges held open on purpose ({@link HeldConnections}) and
 * what it saw ({@link CallLog}); the routes use the parts, tests this class. Time comes from the
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
@IfBuildProperty(name = SimulatorConfig.INCLUDED, stringValue = "true")
public class AmcSimulator {

  /** Key of scripted faults that match every call of their operation. */
  public static final String ANY = "*";

  private final Clock clock;
  private final SimulatorConfig config;
  private final RemoteExecutions executions;
  private final TokenIssuer tokens;
  private final FaultPlan faults;
  private final HeldConnections held = new HeldConnections();
  private final CallLog calls;
  private volatile Duration latency;
  private volatile Duration listingLag = Duration.ZERO;

  AmcSimulator(Clock clock, SimulatorConfig config) {
    this.clock = clock;
    this.config = config;
    this.executions = new RemoteExecutions(clock, config);
    this.tokens = new TokenIssuer(clock, config);
    this.faults = new FaultPlan(config.faults());
    this.calls = new CallLog(clock);
    this.latency = config.latency();
  }

  /**
   * What one simulated execution went through, for tests outside the process too (the process tests
   * read it from {@code GET /simulator/test/executions}): its submission, its status now, and when
   * each status check, downloadUrls call and result file GET arrived (the last 10,000 of each;
   * simulator clock), and when it started and finished running (null until then).
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
      List<Instant> s3Gets,
      Instant startedAt,
      Instant finishedAt) {}

  // ---- executions and scripts ----

  /**
   * Executions later created for this saved workflow id or ad hoc query text follow this script.
   */
  public void scriptFor(String workflowIdOrQuery, ExecutionScript script) {
    executions.scriptFor(workflowIdOrQuery, script);
  }

  /**
   * Executions later created for this saved workflow id or ad hoc query text follow these scripts,
   * one each in this order; then the one set by {@link #scriptFor}, if any.
   */
  public void scriptEach(String workflowIdOrQuery, List<ExecutionScript> scripts) {
    executions.scriptEach(workflowIdOrQuery, scripts);
  }

  /**
   * Executions later created for this saved workflow id or ad hoc query text (keyed as in {@link
   * #scriptFor}), or preloaded for this workflow id, deliver these files, in this order. Files
   * without a name are named {@code part-00000.csv}, {@code part-00001.csv}... by position.
   *
   * @throws IllegalArgumentException when two files end up with one name
   */
  public void scriptResults(String workflowIdOrQuery, List<ResultFile> files) {
    executions.scriptResults(workflowIdOrQuery, files);
  }

  /**
   * The execution delivers these files from now on, in place of what it was created with.
   *
   * @throws IllegalArgumentException when the execution does not exist or two files share a name
   */
  public void scriptResultsFor(String executionId, List<ResultFile> files) {
    executions.scriptResultsFor(executionId, files);
  }

  /**
   * Creates of this saved workflow id or ad hoc query text (dry runs included) are refused as
   * invalid: 400 with {@code details} as AMC's text. Ad hoc text without SELECT is refused anyway.
   */
  public void rejectQuery(String workflowIdOrQuery, String details) {
    executions.rejectQuery(workflowIdOrQuery, details);
  }

  /**
   * From now on (until reset), creates over these quotas are refused with a 429 naming the quota,
   * and counted by {@link #quotaBreaches()}. Dry runs are never counted.
   */
  public void enforceQuotas(SimulatedQuotas quotas) {
    executions.enforceQuotas(quotas);
  }

  /** Creates refused since the last reset because they would have gone over a quota. */
  public int quotaBreaches() {
    return executions.quotaBreaches();
  }

  /** Creates a remote execution directly, as if someone else had submitted it. */
  public String preload(String instanceId, String workflowId, ExecutionScript script) {
    return executions.preload(instanceId, workflowId, script).id;
  }

  /** Every execution created or preloaded since the last reset, in creation order. */
  public List<ExecutionRecord> executionRecords() {
    Instant now = clock.instant();
    return executions.all(
        e ->
            new ExecutionRecord(
                e.id,
                e.instanceId,
                e.workflowId,
                e.submission.parameterValues(),
                e.createdAt,
                e.statusAt(now),
                calls.statusCallTimes(e.id),
                calls.downloadUrlCallTimes(e.id),
                calls.s3GetTimes(e.id),
                e.startedAt,
                e.finishedAt));
  }

  // ---- answers: latency, faults, tokens ----

  /** Delay before every AMC API answer. */
  public Duration latency() {
    return latency;
  }

  /** Changes the answer delay at run time (tests measure concurrency with it). */
  /**
   * List answers show each execution as it stood this long ago (status answers stay current): a
   * listing that lags behind AMC's own status, as the daemon must expect.
   */
  public void setListingLag(Duration lag) {
    this.listingLag = lag;
  }

  Duration listingLag() {
    return listingLag;
  }

  public void setLatency(Duration latency) {
    this.latency = latency;
  }

  /**
   * Random faults from now on, drawn from the current generator (seeded at start-up and by reset()
   * with {@code poller.simulator.faults.seed}).
   */
  public void setFaultRates(FaultRates rates) {
    faults.setRates(rates);
  }

  /** Random faults from now on, drawn from a generator seeded with {@code seed}: replayable. */
  public void setFaultRates(FaultRates rates, long seed) {
    faults.setRates(rates, seed);
  }

  public FaultRates faultRates() {
    return faults.rates();
  }

  /** The operations random faults apply to (default: STATUS only). */
  public void setFaultOperations(Set<Operation> operations) {
    faults.setOperations(operations);
  }

  public Set<Operation> faultOperations() {
    return faults.operations();
  }

  /**
   * Queues {@code sequence} for calls of {@code operation} under {@code key}: each matching call
   * takes the next fault, later calls get normal answers. The key is the execution id (STATUS,
   * CANCEL, DOWNLOAD_URLS), the workflowId or sqlQuery text (CREATE, as in {@link #scriptFor}), the
   * instance id (LIST), or {@link #ANY}; a call's own key is served before {@link #ANY}. A second
   * call for the same key appends.
   */
  public void scriptFaults(Operation operation, String key, List<Fault> sequence) {
    faults.script(operation, key, sequence);
  }

  /**
   * Queues {@code sequence} for GETs of the execution's result files: each GET the presigned URL
   * lets through takes the next fault, later ones are served normally. The key is an execution id
   * or {@link #ANY}; a GET's own execution is served before {@link #ANY}. A second call appends.
   */
  public void scriptS3Faults(String executionIdOrAny, List<S3Fault> sequence) {
    faults.scriptS3(executionIdOrAny, sequence);
  }

  /** Retry-After of THROTTLE_RETRY_AFTER from now on (whole seconds, rounded up). */
  public void setRetryAfter(Duration retryAfter) {
    faults.setRetryAfter(retryAfter);
  }

  public Duration retryAfter() {
    return faults.retryAfter();
  }

  /** Faults answered so far, by kind. */
  public Map<Fault, Integer> faultsInjected() {
    return faults.injected();
  }

  /**
   * The token endpoint refuses every refresh with {@code invalid_grant} (400: the refresh token was
   * revoked) or {@code invalid_client} (401: bad client credentials) until {@link
   * #acceptCredentials()}. Tokens already issued keep working; add {@link #revokeTokens()} for a
   * full lock-out.
   */
  public void rejectCredentials(String oauthError) {
    tokens.rejectCredentials(oauthError);
  }

  public void acceptCredentials() {
    tokens.acceptCredentials();
  }

  /** Makes every issued access token invalid, as a revocation or an early expiry would. */
  public void revokeTokens() {
    tokens.revokeAll();
  }

  // ---- held exchanges ----

  /** Requests held open by HANG right now; closing the client side releases them. */
  public int hangingRequests() {
    return held.hanging();
  }

  /** Lets every download held by STALL send its rest and end. */
  public void releaseStalls() {
    held.releaseStalls();
  }

  /** Downloads held by STALL right now. */
  public int stalledResponses() {
    return held.stalled();
  }

  /** Lets every AMC call held by HELD through: each takes effect now and is answered. */
  public void releaseHeldCalls() {
    held.releaseHeldCalls();
  }

  /** AMC calls held by HELD right now. */
  public int heldCalls() {
    return held.held();
  }

  // ---- what it saw ----

  public int statusCalls(String executionId) {
    return calls.statusCalls(executionId);
  }

  public Map<String, Integer> statusCallsByExecution() {
    return calls.statusCallsByExecution();
  }

  /**
   * Simulator-clock time of each status request for the execution that got past authorization,
   * fault or not (the last 10,000), to check the client's backoff.
   */
  public List<Instant> statusCallTimes(String executionId) {
    return calls.statusCallTimes(executionId);
  }

  /** Create requests that got past authorization, including those answered with a fault. */
  public int createCalls() {
    return calls.createCalls();
  }

  public int listCalls() {
    return calls.listCalls();
  }

  /** Every AMC API call that arrived, whatever its answer (not the token endpoint, not S3). */
  public int totalApiCalls() {
    return calls.totalApiCalls();
  }

  /** AMC API calls per Amazon-Advertising-API-AdvertiserId, counted on arrival. */
  public Map<String, Integer> callsByAdvertiser() {
    return calls.callsByAdvertiser();
  }

  /**
   * System.nanoTime() at the arrival of each AMC API call for the advertiser (the last 10,000), to
   * measure a client-side rate limit in real time.
   */
  public List<Long> callNanosByAdvertiser(String advertiserId) {
    return calls.callNanosByAdvertiser(advertiserId);
  }

  public int maxConcurrentStatusRequests() {
    return calls.maxConcurrentStatusRequests();
  }

  /** GETs of the execution's result files, counted on arrival whatever the answer. */
  public int s3Gets(String executionId) {
    return calls.s3Gets(executionId);
  }

  /** GETs of result files of every execution, counted on arrival whatever the answer. */
  public int s3GetsTotal() {
    return calls.s3GetsTotal();
  }

  public int tokenCalls() {
    return tokens.tokenCalls();
  }

  /**
   * Forgets every execution, token, script, fault setting and counter, and closes connections held
   * by HANG, HELD or STALL. Tests call it between cases; it exists only in builds that include the
   * simulator.
   */
  public void reset() {
    executions.clear();
    tokens.clear();
    calls.clear();
    faults.clear();
    latency = config.latency();
    listingLag = Duration.ZERO;
    held.closeAll();
  }

  // ---- the parts, for the routes ----

  RemoteExecutions executions() {
    return executions;
  }

  TokenIssuer tokens() {
    return tokens;
  }

  FaultPlan faults() {
    return faults;
  }

  HeldConnections held() {
    return held;
  }

  CallLog calls() {
    return calls;
  }

  SimulatorConfig config() {
    return config;
  }

  Instant now() {
    return clock.instant();
  }
}
