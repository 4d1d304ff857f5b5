package io.executionpoller.poll;

import io.executionpoller.execution.EventType;
import io.executionpoller.execution.ExecutionStatus;
import io.executionpoller.failure.ErrorType;
import io.executionpoller.logging.ExecutionMdc;
import io.executionpoller.metrics.PollerMetrics;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Records the lifecycle steps the poll loop takes: one log line per step, with the execution's ids
 * in the MDC and in the text, and the step's metrics. A step is recorded once it is written (a
 * write lost to another replica records nothing); the check itself when its outcome is known.
 *
 * <p>Levels, so that a quiet daemon logs nothing at INFO: {@code EXEC_CHECK} (every check, with
 * outcome and duration) is DEBUG; steps that move an execution on ({@code EXEC_SUBMITTED}, {@code
 * EXEC_TRANSITION}, {@code RETRY_SCHEDULED}) are INFO; trouble ({@code EXEC_CHECK_FAILED}, {@code
 * LONG_EXECUTION}, {@code EXEC_TIMEOUT}, rejected transitions, unknown statuses) is WARN.
 */
final class LifecycleRecorder {

  private static final Logger LOG = Logger.getLogger(LifecycleRecorder.class);

  private final PollerMetrics metrics;

  LifecycleRecorder(PollerMetrics metrics) {
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
      ClaimedExecution execution = plan.execution();
      String remote = remoteId(plan);
      try (ExecutionMdc ignored = mdc(execution, remote)) {
        LOG.debugf(
            "EXEC_CHECK %s outcome=%s durationMs=%d",
            ids(execution, remote), outcome, took.toMillis());
      }
    }
    return plan;
  }

  /** An update and its events were written. */
  void updateApplied(WritePlan.Update update) {
    ClaimedExecution execution = update.execution();
    String remote = remoteId(update);
    try (ExecutionMdc ignored = mdc(execution, remote)) {
      String ids = ids(execution, remote);
      update.events().forEach(event -> step(ids, event));
    }
    if (update.errorType() != null) {
      boolean failedCheck =
          update.events().stream().anyMatch(event -> event.type() == EventType.CHECK_FAILED);
      metrics.error(failedCheck ? "check" : "execution", ErrorType.valueOf(update.errorType()));
    }
    // Only executions that started have a run time; one that never left PENDING is not observed.
    if (update.newStatus().isTerminal() && update.executionDurationSeconds() != null) {
      metrics.executionEnded(
          execution.workflowId(), Duration.ofSeconds(update.executionDurationSeconds()));
    }
  }

  /** A RETRY (back to PENDING, to be submitted again) and its events were written. */
  void resubmitApplied(WritePlan.Resubmit plan) {
    ClaimedExecution execution = plan.execution();
    String remote = remoteId(plan);
    try (ExecutionMdc ignored = mdc(execution, remote)) {
      String ids = ids(execution, remote);
      plan.events().stream()
          .filter(event -> event.type() != EventType.RETRY)
          .forEach(event -> step(ids, event));
      LOG.infof(
          "RETRY_SCHEDULED %s type=%s at=%s %s",
          ids, plan.errorType(), plan.nextRetryAt(), plan.lastError());
    }
    metrics.error("execution", plan.errorType());
    metrics.retryScheduled(plan.errorType());
  }

  /** The outcome of cancelling a timed-out execution at AMC was recorded. */
  void remoteCancel(ClaimedExecution execution, String remote, NewEvent event) {
    try (ExecutionMdc ignored = mdc(execution, remote)) {
      LOG.infof("EXEC_%s %s %s", event.type(), ids(execution, remote), event.message());
    }
  }

  private void step(String ids, NewEvent event) {
    switch (event.type()) {
      case TRANSITION -> {
        metrics.transitionApplied(event.from(), event.to());
        if (event.to() == ExecutionStatus.TIMEOUT) {
          LOG.warnf(
              "EXEC_TIMEOUT %s from=%s to=%s reason=%s",
              ids, event.from(), event.to(), event.message());
        } else {
          LOG.infof(
              "EXEC_TRANSITION %s from=%s to=%s reason=%s",
              ids, event.from(), event.to(), event.message());
        }
      }
      case TRANSITION_REJECTED -> {
        metrics.transitionRejected(event.from(), event.to());
        LOG.warnf(
            "EXEC_TRANSITION_REJECTED %s from=%s to=%s remoteStatus=%s",
            ids, event.from(), event.to(), event.remoteStatus());
      }
      case LONG_EXECUTION -> {
        metrics.longExecution();
        LOG.warnf("LONG_EXECUTION %s %s", ids, event.message());
      }
      case SUBMITTED -> LOG.infof("EXEC_SUBMITTED %s %s", ids, event.message());
      case CHECK_FAILED -> LOG.warnf("EXEC_CHECK_FAILED %s error=%s", ids, event.message());
      default ->
          LOG.warnf(
              "EXEC_%s %s remoteStatus=%s %s",
              event.type(), ids, event.remoteStatus(), event.message());
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

  private static ExecutionMdc mdc(ClaimedExecution execution, String remote) {
    return ExecutionMdc.open(
        execution.id(), remote, execution.workflowId(), execution.target().instanceId());
  }

  private static String ids(ClaimedExecution execution, String remote) {
    return "execution="
        + execution.id()
        + " remote="
        + ExecutionMdc.orDash(remote)
        + " workflow="
        + execution.workflowId()
        + " instance="
        + execution.target().instanceId();
  }
}
