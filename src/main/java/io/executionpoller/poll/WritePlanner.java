package io.executionpoller.poll;

import io.executionpoller.execution.Decision;
import io.executionpoller.execution.EventType;
import io.executionpoller.execution.ExecutionStateMachine;
import io.executionpoller.execution.ExecutionStatus;
import io.executionpoller.execution.Transition;
import io.executionpoller.failure.ErrorClassifier;
import io.executionpoller.failure.ErrorType;
import io.executionpoller.failure.FailureFacts;
import io.executionpoller.remote.RemoteCallException;
import io.executionpoller.remote.RemoteExecution;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeoutException;

/**
 * Decides what to persist for one check outcome. Pure: no I/O, time passed in. The state machine
 * decides transitions; this class turns its decision into columns and audit events.
 */
final class WritePlanner {

  record Settings(Duration interval, int maxConsecutivePollErrors) {}

  private final Settings settings;

  WritePlanner(Settings settings) {
    this.settings = settings;
  }

  WritePlan plan(CheckOutcome outcome, Instant now) {
    // Java 17: no pattern switch over sealed types yet, so an instanceof chain.
    if (outcome instanceof CheckOutcome.Observed observed) {
      return planObservation(observed.execution(), observed.remote(), false, now);
    }
    if (outcome instanceof CheckOutcome.Submitted submitted) {
      return planObservation(submitted.execution(), submitted.remote(), true, now);
    }
    if (outcome instanceof CheckOutcome.Failed failed) {
      return planFailure(failed.execution(), failed.failure(), now);
    }
    return new WritePlan.Skip(outcome.execution());
  }

  private WritePlan planObservation(
      ClaimedExecution execution, RemoteExecution remote, boolean submitted, Instant now) {
    Decision decision = ExecutionStateMachine.decide(execution.status(), remote.status());
    boolean remoteStatusChanged = !Objects.equals(remote.status(), execution.remoteStatus());
    List<NewEvent> events = new ArrayList<>();
    if (submitted) {
      events.add(
          new NewEvent(
              EventType.SUBMITTED,
              null,
              null,
              remote.status(),
              "remote id " + remote.workflowExecutionId()));
    }
    Instant next = now.plus(settings.interval());
    if (decision instanceof Decision.Unchanged) {
      return submitted
          ? update(execution, execution.status(), remote, now, next, events)
          : new WritePlan.Reschedule(execution, remote.status(), next);
    }
    if (decision instanceof Decision.Advance advance) {
      for (Transition step : advance.steps()) {
        events.add(
            new NewEvent(
                EventType.TRANSITION,
                step.from(),
                step.to(),
                remote.status(),
                remote.statusReason()));
      }
      return update(execution, advance.target(), remote, now, next, events);
    }
    // Rejected or unknown: recorded once when the remote status text changes, never applied.
    if (!remoteStatusChanged && !submitted) {
      return new WritePlan.Reschedule(execution, remote.status(), next);
    }
    if (decision instanceof Decision.Rejected rejected) {
      events.add(
          new NewEvent(
              EventType.TRANSITION_REJECTED,
              rejected.attempted().from(),
              rejected.attempted().to(),
              remote.status(),
              "transition " + rejected.attempted() + " is not allowed"));
    } else {
      events.add(
          new NewEvent(
              EventType.UNKNOWN_REMOTE_STATUS,
              null,
              null,
              remote.status(),
              "AMC answered unknown status '" + remote.status() + "'; not applied"));
    }
    return update(execution, execution.status(), remote, now, next, events);
  }

  private WritePlan.Update update(
      ClaimedExecution execution,
      ExecutionStatus newStatus,
      RemoteExecution remote,
      Instant now,
      Instant next,
      List<NewEvent> events) {
    boolean passedRunning =
        events.stream()
            .anyMatch(e -> e.type() == EventType.TRANSITION && e.to() == ExecutionStatus.RUNNING);
    Instant startedAt =
        execution.startedAt() != null ? execution.startedAt() : passedRunning ? now : null;
    Instant completedAt = newStatus.isTerminal() ? now : null;
    Integer duration = durationSeconds(startedAt, completedAt);
    String errorType = null;
    String errorMessage = null;
    if (newStatus == ExecutionStatus.FAILED) {
      errorType =
          ErrorClassifier.classify(FailureFacts.remoteFailure(remote.statusReason())).name();
      errorMessage =
          remote.statusReason() != null ? remote.statusReason() : "AMC reported " + remote.status();
    }
    return new WritePlan.Update(
        execution,
        newStatus,
        remote.workflowExecutionId(),
        remote.status(),
        remote.statusReason(),
        execution.needsSubmission() ? now : null,
        startedAt,
        completedAt,
        remote.expireTime(),
        remote.timeoutSeconds(),
        duration,
        0,
        null,
        null,
        errorType,
        errorMessage,
        next,
        events);
  }

  private WritePlan planFailure(ClaimedExecution execution, Throwable failure, Instant now) {
    ErrorType type = ErrorClassifier.classify(facts(failure));
    String message = describe(failure);
    int errors = execution.consecutivePollErrors() + 1;
    List<NewEvent> events = new ArrayList<>();
    events.add(new NewEvent(EventType.CHECK_FAILED, null, null, null, type + ": " + message));
    boolean givesUp = errors >= settings.maxConsecutivePollErrors();
    ExecutionStatus newStatus = givesUp ? ExecutionStatus.FAILED : execution.status();
    String errorMessage = null;
    if (givesUp) {
      errorMessage = "gave up after " + errors + " failed checks in a row; last: " + message;
      events.add(
          new NewEvent(
              EventType.TRANSITION,
              execution.status(),
              ExecutionStatus.FAILED,
              null,
              errorMessage));
    }
    return new WritePlan.Update(
        execution,
        newStatus,
        null,
        execution.remoteStatus(),
        null,
        null,
        null,
        givesUp ? now : null,
        null,
        null,
        givesUp ? durationSeconds(execution.startedAt(), now) : null,
        errors,
        message,
        now,
        type.name(),
        errorMessage,
        now.plus(settings.interval()),
        events);
  }

  /** Whole seconds from start to completion; null until both are known. */
  private static Integer durationSeconds(Instant startedAt, Instant completedAt) {
    return startedAt == null || completedAt == null
        ? null
        : (int) Duration.between(startedAt, completedAt).toSeconds();
  }

  static FailureFacts facts(Throwable failure) {
    if (failure instanceof RemoteCallException remote) {
      FailureFacts.Operation operation =
          switch (remote.operation()) {
            case "create execution" -> FailureFacts.Operation.CREATE;
            case "token refresh" -> FailureFacts.Operation.TOKEN;
            default -> FailureFacts.Operation.CHECK;
          };
      FailureFacts.Transport transport =
          switch (remote.kind()) {
            case HTTP_STATUS -> FailureFacts.Transport.NONE;
            case TIMEOUT -> FailureFacts.Transport.TIMEOUT;
            case CONNECTION -> FailureFacts.Transport.CONNECTION;
            case MALFORMED_RESPONSE -> FailureFacts.Transport.MALFORMED;
            case NOT_CONFIGURED -> FailureFacts.Transport.NOT_CONFIGURED;
            case UNEXPECTED -> FailureFacts.Transport.UNEXPECTED;
          };
      return new FailureFacts(transport, remote.httpStatus(), operation, remote.body());
    }
    if (failure instanceof TimeoutException) {
      return new FailureFacts(
          FailureFacts.Transport.TIMEOUT, 0, FailureFacts.Operation.CHECK, null);
    }
    return new FailureFacts(
        FailureFacts.Transport.UNEXPECTED, 0, FailureFacts.Operation.CHECK, null);
  }

  private static String describe(Throwable failure) {
    String message = failure.getMessage();
    return message == null ? failure.getClass().getSimpleName() : message;
  }
}
