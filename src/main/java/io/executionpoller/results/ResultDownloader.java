package io.executionpoller.results;

import io.executionpoller.config.SwitchedOff;
import io.executionpoller.execution.EventType;
import io.executionpoller.failure.BackoffPolicy;
import io.executionpoller.failure.ErrorType;
import io.executionpoller.logging.ExecutionIds;
import io.executionpoller.logging.ExecutionLog;
import io.executionpoller.logging.OutageLog;
import io.executionpoller.metrics.CountGauges;
import io.executionpoller.metrics.PollerMetrics;
import io.executionpoller.remote.AmcClient;
import io.executionpoller.remote.CallDeferred;
import io.executionpoller.replica.ReplicaIdentity;
import io.executionpoller.tracing.ExecutionSpans;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import org.jboss.logging.Logger;

/**
 * Runs result downloads on every replica, on its own small pool of threads, so slow downloads never
 * hold up status checks. Each tick claims as many due results as there are free threads; each
 * claim's lease is renewed while its download runs, and a download that passes its deadline or
 * loses its lease is aborted and rolled back. On shutdown running downloads are aborted and their
 * claims handed back at once, so another replica resumes them from scratch.
 */
@Singleton
public class ResultDownloader {

  private static final Logger LOG = Logger.getLogger(ResultDownloader.class);
  private static final ExecutionLog LINES = ExecutionLog.of(ResultDownloader.class);
  static final String DOWNLOAD_SPAN = "poller.result.download";

  private final ResultStore store;
  private final ResultFetcher fetcher;
  private final AmcClient amc;
  private final ResultsConfig config;
  private final Clock clock;
  private final String owner;
  private final ResultRetryPolicy retryPolicy;
  private final ExecutorService workers;
  private final ScheduledExecutorService leaseKeeper;
  private final Map<java.util.UUID, ResultDownload> running = new ConcurrentHashMap<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Map<String, Counter> outcomes = new ConcurrentHashMap<>();
  private final CountGauges<ResultStatus> unstored;
  private final Counter storedBytes;
  private final Counter storedRows;
  private final MeterRegistry registry;
  private final PollerMetrics metrics;
  private final ExecutionSpans spans;
  private volatile boolean stopping;

  /** Only the scheduler's tick (never concurrent) touches it. */
  private final OutageLog claimLog = new OutageLog(Duration.ofMinutes(1));

  ResultDownloader(
      ResultStore store,
      ResultFetcher fetcher,
      AmcClient amc,
      ResultsConfig config,
      Clock clock,
      ReplicaIdentity replica,
      MeterRegistry registry,
      PollerMetrics metrics,
      ExecutionSpans spans) {
    this.metrics = metrics;
    this.spans = spans;
    this.store = store;
    this.fetcher = fetcher;
    this.amc = amc;
    this.config = config;
    this.clock = clock;
    this.owner = replica.id();
    this.registry = registry;
    this.retryPolicy =
        new ResultRetryPolicy(
            config.maxAttempts(),
            new BackoffPolicy(config.backoffBase(), config.backoffCap(), Duration.ofSeconds(1)));
    this.workers =
        Executors.newFixedThreadPool(
            Math.max(1, config.maxConcurrentDownloads()), named("result-download"));
    this.leaseKeeper = Executors.newSingleThreadScheduledExecutor(named("result-lease"));
    long renewEvery = Math.max(1, config.leaseDuration().toMillis() / 3);
    leaseKeeper.scheduleWithFixedDelay(
        this::keepLeases, renewEvery, renewEvery, TimeUnit.MILLISECONDS);
    this.storedBytes =
        Counter.builder("poller.results.stored.bytes")
            .description("Content bytes of stored results")
            .baseUnit("bytes")
            .register(registry);
    this.storedRows =
        Counter.builder("poller.results.stored.rows")
            .description("Rows of stored results")
            .register(registry);
    Gauge.builder("poller.results.downloads.active", inFlight, AtomicInteger::get)
        .description("Result downloads running on this replica")
        .register(registry);
    this.unstored =
        new CountGauges<>(
            registry,
            "poller.results.unstored",
            "Results of succeeded executions not stored (yet), by status",
            "status",
            EnumSet.complementOf(EnumSet.of(ResultStatus.STORED)));
  }

  @Scheduled(
      identity = "result-downloads",
      every = "${poller.results.tick}",
      executeWith = Scheduled.SIMPLE,
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
      skipExecutionIf = DownloadsDisabled.class)
  void tick() {
    try {
      dispatch();
      if (claimLog.succeeded() == OutageLog.Line.RECOVERED) {
        LOG.infof("claiming result downloads recovered after %d failures", claimLog.failures());
      }
    } catch (SQLException | RuntimeException e) {
      // A database outage fails every tick: say it once, then once a minute.
      switch (claimLog.failed(clock.instant())) {
        case FIRST_FAILURE:
          LOG.warnf("claiming result downloads failed (database unreachable?): %s", e.toString());
          break;
        case STILL_FAILING:
          LOG.warnf(
              "claiming result downloads still failing since %s (%d failures not logged): %s",
              claimLog.failingSince(), claimLog.takeUnlogged(), e.toString());
          break;
        default:
          break;
      }
    }
  }

  @Scheduled(
      identity = "result-gauges",
      every = "30S",
      executeWith = Scheduled.SIMPLE,
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void refreshGauges() {
    try {
      unstored.set(store.countUnstored());
    } catch (SQLException | RuntimeException e) {
      LOG.debugf("counting unstored results failed: %s", e.toString());
    }
  }

  /** Claims due downloads for the free threads and starts them; returns how many started. */
  public int dispatch() throws SQLException {
    int free = Math.max(0, config.maxConcurrentDownloads() - inFlight.get());
    if (stopping || free == 0) {
      return 0;
    }
    Instant now = clock.instant();
    ResultStore.Claimed claimed =
        store.claim(owner, now, config.leaseDuration(), free, config.maxAttempts());
    claimed.exhausted().forEach(this::onExhausted);
    List<ResultClaim> claims = claimed.claims();
    for (ResultClaim claim : claims) {
      ResultDownload download =
          new ResultDownload(claim, owner, amc, fetcher, store, config, clock);
      running.put(claim.executionId(), download);
      inFlight.incrementAndGet();
      workers.execute(() -> runToEnd(download));
    }
    return claims.size();
  }

  /** A result the claim failed because its counted attempts ended without an outcome. */
  private void onExhausted(ResultStore.Exhausted result) {
    count("failed");
    metrics.error("result", ErrorType.UNKNOWN_ERROR);
    LOG.errorf(
        "result %s: FAILED after %d claims; its last attempts ended without an outcome (the"
            + " replica stopped or lost its lease mid-download)",
        result.executionId(), result.attempts());
    discardStaged(result.executionId(), result.attempts());
  }

  /** Downloads running on this replica right now. */
  public int inFlight() {
    return inFlight.get();
  }

  private void runToEnd(ResultDownload download) {
    spans.aroundBlocking(
        DOWNLOAD_SPAN, download.claim().traced(), () -> attempt(download), this::describe);
  }

  /**
   * The attempt's outcome on its span; the download failed unless stored, deferred or handed back.
   */
  private void describe(Span span, String outcome) {
    span.setAttribute(ExecutionSpans.OUTCOME, outcome);
    if (outcome.equals("failed") || outcome.equals("retry")) {
      span.setStatus(StatusCode.ERROR);
    }
  }

  /** Runs one download attempt to its outcome (never throws) and returns the outcome. */
  private String attempt(ResultDownload download) {
    ResultClaim claim = download.claim();
    Timer.Sample started = metrics.startTimer();
    String outcome = "failed";
    try {
      ResultDownload.Stored stored = download.run();
      storedBytes.increment(stored.bytes());
      storedRows.increment(stored.rows());
      count("stored");
      outcome = "stored";
      LINES.info(
          ids(claim),
          "RESULT_STORED",
          "files=%d rows=%d bytes=%d",
          stored.files(),
          stored.rows(),
          stored.bytes());
    } catch (CallDeferred deferred) {
      // The remote gate said not now (breaker open, rate limit, credentials): not the result's
      // fault, so the attempt is not counted.
      outcome = "deferred";
      endAttempt(
          claim,
          new ResultStore.AttemptEnd(false, deferred.retryAt(), false, null, null, null),
          outcome);
    } catch (DownloadFailure failure) {
      outcome = onFailure(claim, failure);
    } catch (RuntimeException e) {
      LOG.errorf(e, "result %s: unexpected failure", claim.executionId());
      outcome = onFailure(claim, DownloadFailure.unexpected(e));
    } catch (Error e) {
      // Out of memory or a stack overflow, most likely caused by this result: its attempt ends
      // and counts like any failure (its memory went with its stack), instead of the thread dying
      // with the result claimed until the lease expires.
      LOG.errorf(e, "result %s: %s on the download thread", claim.executionId(), e);
      outcome = onFailure(claim, DownloadFailure.unexpected(e));
    } finally {
      if (!outcome.equals("stored") && !stopping) {
        discardStaged(claim.executionId(), claim.attempt());
      }
      metrics.resultDownloadEnded(started, outcome);
      running.remove(claim.executionId(), download);
      inFlight.decrementAndGet();
    }
    return outcome;
  }

  /** Records a failed attempt: retried later, failed for good, or handed back on shutdown. */
  private String onFailure(ResultClaim claim, DownloadFailure failure) {
    if (stopping) {
      // Aborted by shutdown: hand the claim back uncounted, due at once for another replica.
      endAttempt(
          claim,
          new ResultStore.AttemptEnd(false, clock.instant(), false, null, null, null),
          "released");
      return "released";
    }
    Instant now = clock.instant();
    ResultRetryPolicy.Decision decision =
        retryPolicy.afterFailure(
            claim.counted(), failure.retryable(), now, RandomGenerator.getDefault());
    String error =
        ResultRetryPolicy.describe(
            failure.type(), failure.getMessage(), claim.counted(), decision.failed());
    String outcome = decision.failed() ? "failed" : "retry";
    endAttempt(
        claim,
        new ResultStore.AttemptEnd(
            decision.failed(),
            decision.nextAttemptAt(),
            true,
            error,
            failure.type(),
            decision.failed() ? EventType.RESULT_FAILED : EventType.RESULT_RETRY),
        outcome);
    metrics.error("result", failure.type());
    if (decision.failed()) {
      LINES.error(ids(claim), "RESULT_FAILED", "%s", error);
    } else {
      LINES.warn(ids(claim), "RESULT_RETRY", "next=%s %s", decision.nextAttemptAt(), error);
    }
    return outcome;
  }

  private static ExecutionIds ids(ResultClaim claim) {
    return new ExecutionIds(
        claim.executionId(),
        claim.amcExecutionId(),
        claim.workflowId(),
        claim.target().instanceId(),
        claim.traceparent());
  }

  private void endAttempt(ResultClaim claim, ResultStore.AttemptEnd end, String outcome) {
    try {
      if (!store.endAttempt(claim, owner, clock.instant(), end)) {
        LOG.warnf(
            "result %s: the claim was lost before its outcome was written", claim.executionId());
      }
    } catch (SQLException | RuntimeException e) {
      // The lease expires on its own and another attempt follows.
      LOG.warnf("result %s: writing the outcome failed: %s", claim.executionId(), e.toString());
    }
    count(outcome);
  }

  /**
   * Deletes what an attempt that stored nothing staged, unless a later claim exists; a failure here
   * leaves the rows to the result's next attempt.
   */
  private void discardStaged(java.util.UUID executionId, int attempt) {
    try {
      store.discardStaged(executionId, attempt);
    } catch (SQLException | RuntimeException e) {
      LOG.warnf("result %s: deleting staged rows failed: %s", executionId, e.toString());
    }
  }

  private void keepLeases() {
    try {
      renewOrAbort();
    } catch (Error e) {
      // An Error escaping a scheduled task would cancel every later renewal without a word.
      LOG.errorf(e, "renewing result leases failed");
    }
  }

  private void renewOrAbort() {
    Instant now = clock.instant();
    for (ResultDownload download : running.values()) {
      try {
        if (now.isAfter(download.deadline())) {
          download.abort(
              DownloadFailure.deadline(
                  "ran longer than poller.results.attempt-deadline " + config.attemptDeadline()));
        } else if (!store.renew(download.claim(), owner, config.leaseDuration())) {
          download.abort(
              DownloadFailure.store(new SQLException("the download's claim was taken over")));
        }
      } catch (SQLException | RuntimeException e) {
        LOG.debugf("renewing a result lease failed: %s", e.toString());
      }
    }
  }

  private void count(String outcome) {
    outcomes
        .computeIfAbsent(
            outcome,
            name ->
                Counter.builder("poller.results.downloads")
                    .description("Result download attempts by outcome")
                    .tag("outcome", name)
                    .register(registry))
        .increment();
  }

  void onStop(@Observes ShutdownEvent event) {
    stopping = true;
    running
        .values()
        .forEach(download -> download.abort(DownloadFailure.deadline("the replica is stopping")));
    workers.shutdown();
    try {
      if (!workers.awaitTermination(10, TimeUnit.SECONDS)) {
        workers.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    leaseKeeper.shutdownNow();
  }

  private static ThreadFactory named(String prefix) {
    AtomicInteger next = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + "-" + next.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /** Skips ticks when downloads are switched off (tests drive them). */
  @Singleton
  static class DownloadsDisabled extends SwitchedOff {

    DownloadsDisabled(ResultsConfig config) {
      super(config::enabled);
    }
  }
}
