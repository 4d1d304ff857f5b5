package io.executionpoller.poll;

import io.executionpoller.execution.Decision;
import io.executionpoller.execution.EventType;
import io.executionpoller.execution.ExecutionStateMachine;
import io.executionpoller.execution.ExecutionStatus;
import io.executionpoller.execution.NewEvent;
import io.executionpoller.execution.RuntimeLimit;
import io.executionpoller.execution.Transition;
import io.executionpoller.failure.BackoffPolicy;
import io.executionpoller.failure.ErrorClassifier;
import io.executionpoller.failure.ErrorType;
import io.executionpoller.failure.FailureFacts;
import io.executionpoller.failure.RetryAfter;
import io.executionpoller.remote.CallDeferred;
import io.executionpoller.remote.RemoteCallException;
import io.executionpoller.remote.RemoteExecution;
import io.executionpoller.remote.RemoteFailures;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.UUID;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * Decides what to persist for one check outcome. Pure: no I/O, time passed in. The state machine
 * decides transitions; this class turns its decision into columns and audit events.
 */
@Singleton
final class WritePlanner {

  /**
   * @param interval time between two checks of a healthy execution
   * @param maxConsecutivePollErrors failed checks in a row that end an execution as FAILED
   * @param checkBackoff wait after failed checks (full jitter, by failures in a row)
   * @param retryAfterMax a remote's Retry-After is honoured up to this
   * @param maxRetries resubmissions allowed per execution
   * @param resubmitBackoff wait before a resubmission (equal jitter, by retry count)
   * @param deferralSpread random spread added to deferred checks
   * @param runtime defaults of the per-execution runtime limit
   */
  record Settings(
      Duration interval,
      int maxConsecutivePollErrors,
      BackoffPolicy checkBackoff,
      Duration retryAfterMax,
      int maxRetries,
      BackoffPolicy resubmitBackoff,
      Duration deferralSpread,
      RuntimeLimit.Defaults runtime) {

    static Settings of(PollConfig poll, RetryConfig retry, TimeoutConfig timeout) {
      return new Settings(
          poll.interval(),
          poll.maxConsecutivePollErrors(),
          new BackoffPolicy(
              retry.checkBackoffBase(), retry.checkBackoffCap(), retry.checkBackoffFloor()),
          retry.retryAfterMax(),
          retry.maxRetries(),
          new BackoffPolicy(retry.resubmitBackoffBase(), retry.resubmitBackoffCap(), Duration.ZERO),
          retry.deferralSpread(),
          new RuntimeLimit.Defaults(
              timeout.defaultMaxRuntime(),
              timeout.remoteTimeoutMargin(),
              timeout.warningFraction()));
    }
  }

  private final Settings settings;
  private final PollSchedule schedule;
  private final Function<UUID, TypicalRun> recordedRuns;
  private final RandomGenerator random;

  @Inject
  WritePlanner(
      PollConfig poll,
      RetryConfig retry,
      TimeoutConfig timeout,
      ScheduleConfig schedule,
      ListingConfig listing,
      WorkflowDurations durations) {
    // java.util.Random is thread-safe; jitter needs no better randomness than that.
    this(
        Settings.of(poll, retry, timeout),
        new PollSchedule(PollSchedule.Settings.of(poll, schedule, listing)),
        durations::of,
        new Random());
  }

  /**
   * A planner with a fixed interval and its own source of jitter (a seeded one makes a test
   * repeatable).
   */
  WritePlanner(Settings settings, RandomGenerator random) {
    this(
        settings,
        new PollSchedule(PollSchedule.Settings.fixed(settings.interval())),
        workflow -> null,
        random);
  }

  /** A planner with its own schedule and its workflows' recorded run times. */
  WritePlanner(
      Settings settings,
      PollSchedule schedule,
      Function<UUID, TypicalRun> recordedRuns,
      RandomGenerator random) {
    this.settings = settings;
    this.schedule = schedule;
    this.recordedRuns = recordedRuns;
    this.random = random;
  }

  WritePlan plan(CheckOutcome outcome, Instant now) {
    // Java 17: no pattern switch over sealed types yet, so an instanceof chain.
    if (outcome instanceof CheckOutcome.Observed observed) {
      return planObservation(observed.execution(), observed.remote(), false, false, now);
    }
    if (outcome instanceof CheckOutcome.Submitted submitted) {
      return planObservation(
          submitted.execution(), submitted.remote(), true, submitted.adopted(), now);
    }
    if (outcome instanceof CheckOutcome.LeaseTooShort tooShort) {
      // Never started: hand it back for the next claim, counting nothing.
      return new WritePlan.Defer(tooShort.execution(), now.plusSeconds(1), false);
    }
    if (outcome instanceof CheckOutcome.Queued queued) {
      return new WritePlan.Queued(queued.execution(), queued.hold().reason());
    }
    if (outcome instanceof CheckOutcome.CreateHeldBack heldBack) {
      return planDeferral(heldBack.execution(), heldBack.deferred(), true, now);
    }
    if (outcome instanceof CheckOutcome.Failed failed) {
      Throwable failure = failed.failure();
      if (failure instanceof CallDeferred deferred) {
        return planDeferral(failed.execution(), deferred, false, now);
      }
      if (failure instanceof RemoteCallException remote
          && remote.isRefusal()
          && RemoteFailures.facts(remote).operation() == FailureFacts.Operation.CREATE) {
        return planRefusedCreate(failed.execution(), remote, now);
      }
      return planFailure(failed.execution(), failure, now);
    }
    return new WritePlan.Skip(outcome.execution());
  }

  private WritePlan planObservation(
      ClaimedExecution execution,
      RemoteExecution remote,
      boolean submitted,
      boolean adopted,
      Instant now) {
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
              adopted
                  ? "remote id "
                      + remote.workflowExecutionId()
                      + " adopted: found by listing after an unanswered create"
                  : "remote id " + remote.workflowExecutionId()));
    }
    Instant next = nextCheck(execution, decision, now);
    if (decision instanceof Decision.Unchanged) {
      if (submitted) {
        return update(execution, execution.status(), remote, now, next, events, null);
      }
      WritePlan limited = planRuntimeLimit(execution, remote, now, next);
      return limited != null ? limited : new WritePlan.Reschedule(execution, remote.status(), next);
    }
    if (decision instanceof Decision.Advance advance) {
      Failure failure = null;
      if (advance.target() == ExecutionStatus.FAILED) {
        ErrorType type =
            ErrorClassifier.classify(FailureFacts.remoteFailure(remote.statusReason()));
        if (mayRetry(execution, type)) {
          return planRetry(execution, advance, remote, type, events, now);
        }
        failure =
            new Failure(
                type,
                remote.statusReason() != null
                    ? remote.statusReason()
                    : "AMC reported " + remote.status());
      }
      advance.steps().forEach(step -> events.add(transition(step, remote)));
      return update(execution, advance.target(), remote, now, next, events, failure);
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
    return update(execution, execution.status(), remote, now, next, events, null);
  }

  /** When to check again after an answer: by the status the decision leaves it in. */
  private Instant nextCheck(ClaimedExecution execution, Decision decision, Instant now) {
    ExecutionStatus after =
        decision instanceof Decision.Advance advance ? advance.target() : execution.status();
    Instant startedAt =
        execution.startedAt() != null
            ? execution.startedAt()
            : after == ExecutionStatus.RUNNING ? now : null;
    PollSchedule.Facts facts =
        new PollSchedule.Facts(
            after,
            execution.submitAttemptedAt(),
            startedAt,
            recordedRuns.apply(execution.workflowId()));
    return schedule.next(facts, now);
  }

  /** Why an execution ends in FAILED or TIMEOUT: the error fields of its update. */
  private record Failure(ErrorType type, String message) {}

  private static NewEvent transition(Transition step, RemoteExecution remote) {
    return new NewEvent(
        EventType.TRANSITION, step.from(), step.to(), remote.status(), remote.statusReason());
  }

  /**
   * An update from an answer of AMC; {@code failure} is null unless it ends the execution badly.
   */
  private WritePlan.Update update(
      ClaimedExecution execution,
      ExecutionStatus newStatus,
      RemoteExecution remote,
      Instant now,
      Instant next,
      List<NewEvent> events,
      Failure failure) {
    boolean passedRunning =
        events.stream()
            .anyMatch(e -> e.type() == EventType.TRANSITION && e.to() == ExecutionStatus.RUNNING);
    Instant startedAt =
        execution.startedAt() != null ? execution.startedAt() : passedRunning ? now : null;
    Instant completedAt = newStatus.isTerminal() ? now : null;
    WritePlan.Times times =
        new WritePlan.Times(
            execution.needsSubmission() ? now : null,
            startedAt,
            completedAt,
            WritePlan.Times.ran(startedAt, completedAt));
    return failure == null
        ? WritePlan.Update.answered(execution, newStatus, remote, times, next, events)
        : WritePlan.Update.answeredWithError(
            execution, newStatus, remote, times, failure.type(), failure.message(), next, events);
  }

  /**
   * The remote execution failed for a retryable reason: record the steps up to the failure except
   * the failure itself, then RETRY back to PENDING with the old remote id in the event.
   */
  private WritePlan planRetry(
      ClaimedExecution execution,
      Decision.Advance advance,
      RemoteExecution remote,
      ErrorType type,
      List<NewEvent> events,
      Instant now) {
    ExecutionStatus reached = execution.status();
    for (Transition step : advance.steps()) {
      if (step.to() == ExecutionStatus.FAILED) {
        break;
      }
      events.add(transition(step, remote));
      reached = step.to();
    }
    String reason =
        remote.statusReason() != null ? remote.statusReason() : "AMC reported " + remote.status();
    return resubmit(
        execution,
        remote.workflowExecutionId(),
        reached,
        remote.status(),
        reason,
        "AMC " + remote.status(),
        type,
        events,
        now);
  }

  /**
   * Still RUNNING: past its limit it becomes TIMEOUT; past its warning threshold it gets one
   * LONG_EXECUTION event. Null when neither applies.
   */
  private WritePlan planRuntimeLimit(
      ClaimedExecution execution, RemoteExecution remote, Instant now, Instant next) {
    if (execution.status() != ExecutionStatus.RUNNING || execution.startedAt() == null) {
      return null;
    }
    ClaimedExecution.RuntimeFacts facts = execution.runtime();
    Integer remoteTimeout =
        remote.timeoutSeconds() != null ? remote.timeoutSeconds() : facts.remoteTimeoutSeconds();
    RuntimeLimit limit =
        RuntimeLimit.of(
            facts.workflowMaxSeconds(),
            facts.workflowWarningSeconds(),
            remoteTimeout,
            settings.runtime());
    Duration ran = Duration.between(execution.startedAt(), now);
    List<NewEvent> events = new ArrayList<>();
    if (ran.compareTo(limit.max()) >= 0) {
      String message =
          "ran " + ran.toSeconds() + " s, past its limit of " + limit.max().toSeconds() + " s";
      events.add(
          new NewEvent(
              EventType.TRANSITION,
              ExecutionStatus.RUNNING,
              ExecutionStatus.TIMEOUT,
              remote.status(),
              message));
      return update(
          execution,
          ExecutionStatus.TIMEOUT,
          remote,
          now,
          next,
          events,
          new Failure(ErrorType.TIMEOUT_ERROR, message));
    }
    if (ran.compareTo(limit.warnAfter()) >= 0 && facts.warnedAt() == null) {
      events.add(
          new NewEvent(
              EventType.LONG_EXECUTION,
              null,
              null,
              remote.status(),
              "running for "
                  + ran.toSeconds()
                  + " s, past the warning threshold of "
                  + limit.warnAfter().toSeconds()
                  + " s (limit "
                  + limit.max().toSeconds()
                  + " s)"));
      return update(execution, ExecutionStatus.RUNNING, remote, now, next, events, null);
    }
    return null;
  }

  /** AMC refused the create outright (a 4xx answer): retry it if the reason allows, else fail. */
  private WritePlan planRefusedCreate(
      ClaimedExecution execution, RemoteCallException refusal, Instant now) {
    ErrorType type = ErrorClassifier.classify(RemoteFailures.facts(refusal));
    String message = describe(refusal);
    if (mayRetry(execution, type)) {
      return resubmit(
          execution,
          null,
          execution.status(),
          execution.remoteStatus(),
          null,
          message,
          type,
          new ArrayList<>(),
          now);
    }
    List<NewEvent> events = new ArrayList<>();
    String errorMessage = "AMC refused the create: " + message;
    events.add(
        new NewEvent(
            EventType.TRANSITION, execution.status(), ExecutionStatus.FAILED, null, errorMessage));
    return WritePlan.Update.failedUnanswered(
        execution,
        WritePlan.Errors.refusedCreate(type, message, now, errorMessage),
        now,
        now.plus(settings.interval()),
        events);
  }

  /** Retryable type, retries left, and the state machine allows RETRY from where it stands. */
  private boolean mayRetry(ClaimedExecution execution, ErrorType type) {
    return type.isResubmittable()
        && execution.retryCount() < settings.maxRetries()
        && ExecutionStateMachine.canRetry(execution.status());
  }

  private WritePlan resubmit(
      ClaimedExecution execution,
      String failedAmcExecutionId,
      ExecutionStatus reached,
      String remoteStatus,
      String statusReason,
      String cause,
      ErrorType type,
      List<NewEvent> events,
      Instant now) {
    int attempt = execution.retryCount() + 1;
    Duration wait = settings.resubmitBackoff().equalJitter(execution.retryCount(), random);
    Instant nextRetryAt = now.plus(wait);
    String message =
        type
            + ": "
            + cause
            + (statusReason != null && !cause.equals(statusReason) ? " (" + statusReason + ")" : "")
            + "; resubmitting at "
            + nextRetryAt
            + " (retry "
            + attempt
            + " of "
            + settings.maxRetries()
            + ")";
    events.add(
        new NewEvent(EventType.RETRY, reached, ExecutionStatus.PENDING, remoteStatus, message));
    return new WritePlan.Resubmit(
        execution,
        failedAmcExecutionId,
        remoteStatus,
        statusReason,
        message,
        now,
        type,
        nextRetryAt,
        events);
  }

  /** Held back before sending: come back after the deferral, spread, counting nothing. */
  private WritePlan planDeferral(
      ClaimedExecution execution, CallDeferred deferred, boolean createNotSent, Instant now) {
    // Never due again within this cycle: a deferral that is already over still waits a second.
    Instant earliest = now.plusSeconds(1);
    Instant base =
        deferred.retryAt() != null && deferred.retryAt().isAfter(earliest)
            ? deferred.retryAt()
            : earliest;
    long spreadMillis = settings.deferralSpread().toMillis();
    long extra = spreadMillis > 0 ? random.nextLong(spreadMillis + 1) : 0;
    return new WritePlan.Defer(execution, base.plusMillis(extra), createNotSent);
  }

  /**
   * When to check a failing execution again: exponential backoff with full jitter by failures in a
   * row, or the remote's Retry-After when that is later (cut to retry-after-max).
   */
  Instant nextCheckAfterFailure(int errorsInARow, Throwable failure, Instant now) {
    Instant backoff = now.plus(settings.checkBackoff().fullJitter(errorsInARow - 1, random));
    if (failure instanceof RemoteCallException remote && remote.retryAfter().isPresent()) {
      Instant latest = now.plus(settings.retryAfterMax());
      Instant asked =
          RetryAfter.parse(remote.retryAfter().get(), now)
              .map(at -> at.isAfter(latest) ? latest : at)
              .orElse(backoff);
      return asked.isAfter(backoff) ? asked : backoff;
    }
    return backoff;
  }

  private WritePlan planFailure(ClaimedExecution execution, Throwable failure, Instant now) {
    ErrorType type = ErrorClassifier.classify(RemoteFailures.facts(failure));
    String message = describe(failure);
    int errors = execution.consecutivePollErrors() + 1;
    List<NewEvent> events = new ArrayList<>();
    events.add(new NewEvent(EventType.CHECK_FAILED, null, null, null, type + ": " + message));
    boolean givesUp = errors >= settings.maxConsecutivePollErrors();
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
    WritePlan.Errors failed =
        WritePlan.Errors.failedCheck(errors, type, message, now, errorMessage);
    Instant next = nextCheckAfterFailure(errors, failure, now);
    return givesUp
        ? WritePlan.Update.failedUnanswered(execution, failed, now, next, events)
        : WritePlan.Update.failedCheck(execution, failed, next, events);
  }

  private static String describe(Throwable failure) {
    String message = failure.getMessage();
    return message == null ? failure.getClass().getSimpleName() : message;
  }
}
