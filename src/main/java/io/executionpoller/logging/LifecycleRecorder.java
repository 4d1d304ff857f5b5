package io.executionpoller.logging;

import io.executionpoller.execution.EventType;
import io.executionpoller.execution.ExecutionStatus;
import io.executionpoller.execution.NewEvent;
import io.executionpoller.failure.ErrorType;
import io.executionpoller.metrics.PollerMetrics;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Records the lifecycle steps of executions, whoever takes them (the poll loop, an operator, the
 * timeout sweep, a registration): one log line per step, with the execution's ids in the MDC and in
 * the text, and the step's metrics. A step is recorded once it is written (a write lost to another
 * replica records nothing); a check when its outcome is known.
 *
 * <p>Levels, so that a quiet daemon logs nothing at INFO: {@code EXEC_CHECK} (every check, with
 * outcome and duration) is DEBUG; steps that move an execution on ({@code EXEC_SUBMITTED}, {@code
 * EXEC_TRANSITION}, {@code RETRY_SCHEDULED}) are INFO; trouble ({@code EXEC_CHECK_FAILED}, {@code
 * LONG_EXECUTION}, {@code EXEC_TIMEOUT}, rejected transitions, unknown statuses) is WARN.
 */
@Singleton
public class LifecycleRecorder {

  private static final ExecutionLog LOG = ExecutionLog.of(LifecycleRecorder.class);

  private static final String TRANSITION = "from=%s to=%s reason=%s";

  private final PollerMetrics metrics;

  LifecycleRecorder(PollerMetrics metrics) {
    this.metrics = metrics;
  }

  /** A check starts; its duration is measured on the registry's monotonic clock. */
  public Timer.Sample checkStarted() {
    return metrics.startTimer();
  }

  /**
   * A check's outcome is decided ({@code outcome}: a label of poller_checks_total); {@code ids} is
   * only asked for when the EXEC_CHECK line is logged.
   */
  public void checkEnded(Timer.Sample started, String outcome, Supplier<ExecutionIds> ids) {
    Duration took = metrics.checkEnded(started, outcome);
    if (LOG.isDebugEnabled()) {
      LOG.debug(ids.get(), "EXEC_CHECK", "outcome=%s durationMs=%d", outcome, took.toMillis());
    }
  }

  /**
   * A write and its events were stored: a line and the metrics of each event, then the error and
   * run-time metrics of the execution ({@code errorType} null when nothing failed, {@code
   * ranSeconds} null for an execution that never started or has not ended).
   */
  public void written(
      ExecutionIds ids,
      List<NewEvent> events,
      ErrorType errorType,
      ExecutionStatus status,
      Integer ranSeconds) {
    events.forEach(event -> step(ids, event));
    boolean failedCheck = events.stream().anyMatch(e -> e.type() == EventType.CHECK_FAILED);
    ended(ids, failedCheck ? "check" : "execution", errorType, status, ranSeconds);
  }

  /**
   * A transition written outside the loop (an operator's cancel, the timeout sweep), after its
   * transaction committed. {@code ranSeconds} is null for an execution that never started.
   */
  public void transitionWritten(
      ExecutionIds ids,
      ExecutionStatus from,
      ExecutionStatus to,
      String reason,
      ErrorType errorType,
      Integer ranSeconds) {
    step(ids, new NewEvent(EventType.TRANSITION, from, to, null, reason));
    ended(ids, "execution", errorType, to, ranSeconds);
  }

  /** EXEC_REGISTERED: an execution was registered (by a client, or as an operator's retry). */
  public void registered(ExecutionIds ids, String how) {
    LOG.info(ids, "EXEC_REGISTERED", "%s", how);
  }

  /** The error and run-time metrics of a written step. */
  private void ended(
      ExecutionIds ids,
      String errorStage,
      ErrorType errorType,
      ExecutionStatus status,
      Integer ranSeconds) {
    if (errorType != null) {
      metrics.error(errorStage, errorType);
    }
    // Only executions that started have a run time; one that never left PENDING is not observed.
    if (status.isTerminal() && ranSeconds != null) {
      metrics.executionEnded(ids.instance(), Duration.ofSeconds(ranSeconds));
    }
  }

  /**
   * A RETRY (back to PENDING, to be submitted again at {@code at}) was written with {@code events}:
   * the steps up to the failure, and the RETRY itself, which RETRY_SCHEDULED reports.
   */
  public void retryScheduled(
      ExecutionIds ids, List<NewEvent> events, ErrorType type, Instant at, String cause) {
    events.stream().filter(event -> event.type() != EventType.RETRY).forEach(e -> step(ids, e));
    LOG.info(ids, "RETRY_SCHEDULED", "type=%s at=%s %s", type, at, cause);
    metrics.error("execution", type);
    metrics.retryScheduled(type);
  }

  /** The outcome of cancelling an execution at AMC (after a timeout, or an operator's cancel). */
  public void remoteCancel(ExecutionIds ids, EventType outcome, String message) {
    if (outcome == EventType.REMOTE_CANCEL_FAILED) {
      LOG.warn(ids, "EXEC_" + outcome, "%s", message);
    } else {
      LOG.info(ids, "EXEC_" + outcome, "%s", message);
    }
  }

  /**
   * What came of a run AMC made for an execution whose row had moved on before the answer was
   * written: adopted (INFO), cancelled at AMC (WARN), or left running because the cancel failed
   * (ERROR: someone must cancel it by hand).
   */
  public void lateRun(ExecutionIds ids, EventType outcome, String message) {
    switch (outcome) {
      case SUBMITTED -> LOG.info(ids, "EXEC_SUBMITTED", "%s", message);
      case REMOTE_ORPHAN_CANCELLED -> LOG.warn(ids, "EXEC_REMOTE_ORPHAN_CANCELLED", "%s", message);
      default -> LOG.error(ids, "EXEC_REMOTE_ORPHAN_LEFT", "%s", message);
    }
  }

  private void step(ExecutionIds ids, NewEvent event) {
    switch (event.type()) {
      case TRANSITION -> {
        metrics.transitionApplied(event.from(), event.to());
        // A timeout is trouble: its own name and WARN, instead of an EXEC_TRANSITION line.
        String reason = Objects.requireNonNullElse(event.message(), "-");
        if (event.to() == ExecutionStatus.TIMEOUT) {
          LOG.warn(ids, "EXEC_TIMEOUT", TRANSITION, event.from(), event.to(), reason);
        } else {
          LOG.info(ids, "EXEC_TRANSITION", TRANSITION, event.from(), event.to(), reason);
        }
      }
      case TRANSITION_REJECTED -> {
        metrics.transitionRejected(event.from(), event.to());
        LOG.warn(
            ids,
            "EXEC_TRANSITION_REJECTED",
            "from=%s to=%s remoteStatus=%s",
            event.from(),
            event.to(),
            event.remoteStatus());
      }
      case LONG_EXECUTION -> {
        metrics.longExecution();
        LOG.warn(ids, "LONG_EXECUTION", "%s", event.message());
      }
      case SUBMITTED -> LOG.info(ids, "EXEC_SUBMITTED", "%s", event.message());
      case CHECK_FAILED -> LOG.warn(ids, "EXEC_CHECK_FAILED", "error=%s", event.message());
      default ->
          LOG.warn(
              ids,
              "EXEC_" + event.type(),
              "remoteStatus=%s %s",
              event.remoteStatus(),
              event.message());
    }
  }
}
