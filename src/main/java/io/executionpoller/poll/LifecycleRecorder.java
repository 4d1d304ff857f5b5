package io.executionpoller.poll;

import io.executionpoller.execution.EventType;
import io.executionpoller.execution.ExecutionStatus;
import io.executionpoller.failure.ErrorType;
import io.executionpoller.logging.ExecutionIds;
import io.executionpoller.logging.ExecutionLog;
import io.executionpoller.metrics.PollerMetrics;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Records the lifecycle steps the poll loop takes: one log line per step, with the execution's ids
 * in the MDC and in the text, and the step's metrics. A step is recorded once it is written (a
 * write lost to another replica records nothing); the check itself when its outcome is known.
 *
 * <p>Levels, so that a quiet daemon logs nothing at INFO: {@code EXEC_CHECK} (every check, with
 * outcome and duration) is DEBUG; steps that move an execution on ({@code EXEC_SUBMITTED}, {@code
 * EXEC_TRANSITION}, {@code RETRY_SCHEDULED}) are INFO; trouble ({@code EXEC_CHECK_FAILED}, {@code
 * LONG_EXECUTION}, {@code EXEC_TIMEOUT}, rejected transitions, unknown statuses) is WARN.
 *
 * <p>Transitions written elsewhere (an operator's cancel, the timeout sweep) and registrations are
 * recorded here too, so every transition has the same line and the same metrics.
 */
@Singleton
public class LifecycleRecorder {

  private static final ExecutionLog LOG = ExecutionLog.of(LifecycleRecorder.class);

  private static final String TRANSITION = "from=%s to=%s reason=%s";

  private final PollerMetrics metrics;

  public LifecycleRecorder(PollerMetrics metrics) {
    this.metrics = metrics;
  }

  Timer.Sample checkStarted() {
    return metrics.startTimer();
  }

  /** The check's outcome is decided; counts it and passes the plan on. */
  WritePlan checkEnded(Timer.Sample started, WritePlan plan) {
    String outcome = outcome(plan);
    Duration took = metrics.checkEnded(started, outcome);
    if (LOG.isDebugEnabled()) {
      LOG.debug(
          ids(plan.execution(), remoteId(plan)),
          "EXEC_CHECK",
          "outcome=%s durationMs=%d",
          outcome,
          took.toMillis());
    }
    return plan;
  }

  /** An update and its events were written. */
  void updateApplied(WritePlan.Update update) {
    ExecutionIds ids = ids(update.execution(), remoteId(update));
    update.events().forEach(event -> step(ids, event));
    boolean failedCheck =
        update.events().stream().anyMatch(event -> event.type() == EventType.CHECK_FAILED);
    ended(
        ids,
        failedCheck ? "check" : "execution",
        update.errorType() == null ? null : ErrorType.valueOf(update.errorType()),
        update.newStatus(),
        update.executionDurationSeconds());
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

  /** A RETRY (back to PENDING, to be submitted again) and its events were written. */
  void resubmitApplied(WritePlan.Resubmit plan) {
    ExecutionIds ids = ids(plan.execution(), remoteId(plan));
    plan.events().stream()
        .filter(event -> event.type() != EventType.RETRY)
        .forEach(event -> step(ids, event));
    LOG.info(
        ids,
        "RETRY_SCHEDULED",
        "type=%s at=%s %s",
        plan.errorType(),
        plan.nextRetryAt(),
        plan.lastError());
    metrics.error("execution", plan.errorType());
    metrics.retryScheduled(plan.errorType());
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
  void lateRun(ExecutionIds ids, EventType outcome, String message) {
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

  /** The label of a check's outcome in poller_checks_total: a few fixed values. */
  static String outcome(WritePlan plan) {
    // Java 17: no pattern switch over sealed types yet, so an instanceof chain.
    if (plan instanceof WritePlan.Reschedule) {
      return "unchanged";
    }
    if (plan instanceof WritePlan.Defer) {
      return "deferred";
    }
    if (plan instanceof WritePlan.Resubmit) {
      return "retry";
    }
    if (plan instanceof WritePlan.Update update) {
      Set<EventType> types = EnumSet.noneOf(EventType.class);
      update.events().forEach(event -> types.add(event.type()));
      if (types.contains(EventType.CHECK_FAILED)) {
        return "failed";
      }
      if (types.contains(EventType.TRANSITION)) {
        return "transition";
      }
      if (types.contains(EventType.SUBMITTED)) {
        return "submitted";
      }
      if (types.contains(EventType.TRANSITION_REJECTED)) {
        return "rejected";
      }
      if (types.contains(EventType.UNKNOWN_REMOTE_STATUS)) {
        return "unknown_status";
      }
      return "unchanged";
    }
    return "lost";
  }

  /** The remote id a step concerns: a new one from a submission, the failed one of a retry. */
  private static String remoteId(WritePlan plan) {
    String own = plan.execution().amcExecutionId();
    if (plan instanceof WritePlan.Update update && update.amcExecutionId() != null) {
      return update.amcExecutionId();
    }
    if (plan instanceof WritePlan.Resubmit resubmit && resubmit.failedAmcExecutionId() != null) {
      return resubmit.failedAmcExecutionId();
    }
    return own;
  }

  static ExecutionIds ids(ClaimedExecution execution, String remote) {
    return new ExecutionIds(
        execution.id(), remote, execution.workflowId(), execution.target().instanceId());
  }
}
