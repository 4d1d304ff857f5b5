package io.executionpoller.metrics;

import io.executionpoller.execution.ExecutionStatus;
import io.executionpoller.failure.ErrorType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import jakarta.inject.Singleton;
import java.time.Duration;

/**
 * The metrics of an execution's lifecycle and of the calls it makes, in one place so their names,
 * labels and buckets read together (the metrics table in src/docs/metrics-and-logs.md lists them
 * all). Micrometer names become Prometheus names: dots turn into underscores, counters get {@code
 * _total}, timers are in seconds. Every label is bounded: an outcome, a status, an error type, an
 * operation or an AMC instance; never a workflow or an execution id.
 *
 * <p>Meters are looked up on each use: the registry returns the one already registered. Durations
 * are measured on the registry's monotonic clock, not the application clock: they are about real
 * time, which a test that moves the application clock must not distort.
 */
@Startup
@Singleton
public class PollerMetrics {

  /** Checks take milliseconds against a healthy AMC, up to the 90 s check deadline. */
  private static final Duration[] CHECK_BUCKETS =
      seconds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 90);

  /** One HTTP request: milliseconds, up to the 20 s request deadline. */
  private static final Duration[] REQUEST_BUCKETS =
      seconds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20);

  /** A result download: a second for a small file, up to the 2 h attempt deadline. */
  private static final Duration[] DOWNLOAD_BUCKETS =
      seconds(0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 1800, 3600, 7200);

  /** An AMC execution: minutes to hours; the default runtime limit is 6 h. */
  private static final Duration[] EXECUTION_BUCKETS =
      seconds(60, 300, 600, 1800, 3600, 7200, 14400, 21600, 43200, 86400);

  private final MeterRegistry registry;

  PollerMetrics(MeterRegistry registry) {
    this.registry = registry;
    // A meter without labels is shown from the start, at zero, rather than from its first event.
    longExecutions();
  }

  /** Starts timing something on the registry's monotonic clock. */
  public Timer.Sample startTimer() {
    return Timer.start(registry);
  }

  /**
   * One check of one claimed execution ended (answered, failed, deferred...), before its write.
   * Returns how long it took.
   */
  public Duration checkEnded(Timer.Sample started, String outcome) {
    Counter.builder("poller.checks")
        .description("Checks of claimed executions (status checks and submissions), by outcome")
        .tag("outcome", outcome)
        .register(registry)
        .increment();
    long nanos =
        started.stop(
            Timer.builder("poller.check.duration")
                .description("Time from the start of a check to its outcome, before the write")
                .serviceLevelObjectives(CHECK_BUCKETS)
                .register(registry));
    return Duration.ofNanos(nanos);
  }

  /** A status transition was written. */
  public void transitionApplied(ExecutionStatus from, ExecutionStatus to) {
    Counter.builder("poller.transitions.applied")
        .description("Status transitions written, by from and to status")
        .tag("from", from.name())
        .tag("to", to.name())
        .register(registry)
        .increment();
  }

  /** AMC's status asked for a forbidden transition; it was recorded, not applied. */
  public void transitionRejected(ExecutionStatus from, ExecutionStatus to) {
    Counter.builder("poller.transitions.rejected")
        .description("Forbidden transitions observed and recorded, never applied")
        .tag("from", from.name())
        .tag("to", to.name())
        .register(registry)
        .increment();
  }

  /**
   * A classified error was recorded: a failed check or create ({@code stage} check), an execution
   * that failed, was refused or timed out (execution), or a failed result download attempt
   * (result).
   */
  public void error(String stage, ErrorType type) {
    Counter.builder("poller.errors")
        .description("Errors recorded, by stage (check, execution, result) and error type")
        .tag("stage", stage)
        .tag("type", type.name())
        .register(registry)
        .increment();
  }

  /** A failed remote execution goes back to PENDING to be submitted again (a RETRY). */
  public void retryScheduled(ErrorType type) {
    Counter.builder("poller.retries.scheduled")
        .description("Resubmissions scheduled after a retryable remote failure, by error type")
        .tag("type", type.name())
        .register(registry)
        .increment();
  }

  /** The execution ran past its warning threshold (once per attempt). */
  public void longExecution() {
    longExecutions().increment();
  }

  private Counter longExecutions() {
    return Counter.builder("poller.executions.long")
        .description("Executions that ran past their warning threshold")
        .register(registry);
  }

  /**
   * An execution that had started reached a final status after running {@code ran}. Labelled by AMC
   * instance, not workflow: workflows are registered by clients without bound, and every workflow
   * would add a histogram's worth of series (per-workflow durations are in the stats API).
   */
  public void executionEnded(String instance, Duration ran) {
    Timer.builder("poller.execution.duration")
        .description("Run time of finished executions, from start to final status, by AMC instance")
        .tag("instance", instance == null ? "unknown" : instance)
        .serviceLevelObjectives(EXECUTION_BUCKETS)
        .register(registry)
        .record(ran);
  }

  /**
   * One HTTP request to AMC or Login with Amazon ended. {@code operation} is one of the client's
   * few operations; {@code outcome} a class of answer (see RequestTiming).
   */
  public void remoteRequestEnded(Timer.Sample started, String operation, String outcome) {
    started.stop(
        Timer.builder("poller.remote.request.duration")
            .description("HTTP requests to AMC and Login with Amazon, by operation and outcome")
            .tag("operation", operation)
            .tag("outcome", outcome)
            .serviceLevelObjectives(REQUEST_BUCKETS)
            .register(registry));
  }

  /** A call to {@code instance} waited {@code wait} for a token of its account's rate limit. */
  public void rateLimitWaited(String instance, Duration wait) {
    Timer.builder("poller.remote.rate.limit.wait")
        .description("Calls that waited for their account's rate limit, and how long, by instance")
        .tag("instance", instance)
        .register(registry)
        .record(wait);
  }

  /** One result download attempt ended with {@code outcome}. */
  public void resultDownloadEnded(Timer.Sample started, String outcome) {
    started.stop(
        Timer.builder("poller.results.download.duration")
            .description("Result download attempts, from claim to outcome, by outcome")
            .tag("outcome", outcome)
            .serviceLevelObjectives(DOWNLOAD_BUCKETS)
            .register(registry));
  }

  private static Duration[] seconds(double... bounds) {
    Duration[] durations = new Duration[bounds.length];
    for (int i = 0; i < bounds.length; i++) {
      durations[i] = Duration.ofNanos(Math.round(bounds[i] * 1e9));
    }
    return durations;
  }
}
