package io.executionpoller.poll;

import io.executionpoller.admission.QueuedReason;
import io.executionpoller.execution.EventType;
import io.executionpoller.execution.ExecutionStatus;
import io.executionpoller.execution.NewEvent;
import io.executionpoller.failure.ErrorType;
import io.executionpoller.logging.ExecutionIds;
import io.executionpoller.remote.RemoteExecution;
import io.executionpoller.results.ResultDelivery;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** What to persist for one check, decided before any write. */
sealed interface WritePlan {

  ClaimedExecution execution();

  /** The label of this check's outcome in poller_checks_total: one of a few fixed values. */
  String outcome();

  /** The remote id the check concerns: the execution's own, unless the plan names another. */
  default String remoteId() {
    return execution().amcExecutionId();
  }

  /** Who the check's lifecycle lines are about. */
  default ExecutionIds ids() {
    return execution().ids(remoteId());
  }

  /** Nothing changed but the remote status text and the next check time: batched with others. */
  record Reschedule(ClaimedExecution execution, String remoteStatus, Instant nextPollAt)
      implements WritePlan {

    @Override
    public String outcome() {
      return "unchanged";
    }
  }

  /**
   * The call was held back before sending (breaker, rate limit, credentials): come back later and
   * count nothing against the execution. Batched with others.
   */
  record Defer(ClaimedExecution execution, Instant nextPollAt, boolean forgetSubmitAttempt)
      implements WritePlan {

    @Override
    public String outcome() {
      return "deferred";
    }
  }

  /**
   * The remote execution failed (or its create was refused) for a reason worth another try: back to
   * PENDING without a remote id, through a recorded RETRY, to be submitted again at {@code
   * nextRetryAt}.
   */
  record Resubmit(
      ClaimedExecution execution,
      String failedAmcExecutionId,
      String remoteStatus,
      String statusReason,
      String lastError,
      Instant lastErrorAt,
      ErrorType errorType,
      Instant nextRetryAt,
      List<NewEvent> events)
      implements WritePlan {

    public Resubmit {
      events = List.copyOf(events);
    }

    @Override
    public String outcome() {
      return "retry";
    }

    /** The run that failed, which the RETRY event names. */
    @Override
    public String remoteId() {
      return failedAmcExecutionId != null ? failedAmcExecutionId : execution.amcExecutionId();
    }
  }

  /** Held back by admission and already written as queued; write nothing more. */
  record Queued(ClaimedExecution execution, QueuedReason reason) implements WritePlan {

    @Override
    public String outcome() {
      return "queued";
    }
  }

  /** The claim was lost; write nothing. */
  record Skip(ClaimedExecution execution) implements WritePlan {

    @Override
    public String outcome() {
      return "lost";
    }
  }

  /**
   * A write of its own, with its events, in one transaction. Built by the factory of its outcome;
   * which columns it sets and which it keeps is said per column in ExecutionStore's UPDATE.
   */
  record Update(
      ClaimedExecution execution,
      ExecutionStatus newStatus,
      Remote remote,
      Times times,
      Errors errors,
      Instant nextPollAt,
      List<NewEvent> events)
      implements WritePlan {

    public Update {
      events = List.copyOf(events);
    }

    /** AMC answered (a status check, a create, a listing that found the run); nothing failed. */
    static Update answered(
        ClaimedExecution execution,
        ExecutionStatus newStatus,
        RemoteExecution answer,
        Times times,
        Instant next,
        List<NewEvent> events) {
      return new Update(execution, newStatus, Remote.of(answer), times, Errors.NONE, next, events);
    }

    /**
     * AMC answered, and the execution ends badly: AMC reported it failed, or it ran past its limit.
     */
    static Update answeredWithError(
        ClaimedExecution execution,
        ExecutionStatus newStatus,
        RemoteExecution answer,
        Times times,
        ErrorType type,
        String message,
        Instant next,
        List<NewEvent> events) {
      return new Update(
          execution,
          newStatus,
          Remote.of(answer),
          times,
          Errors.ended(type, message),
          next,
          events);
    }

    /** The check failed, and the execution keeps its status until the next one. */
    static Update failedCheck(
        ClaimedExecution execution, Errors errors, Instant next, List<NewEvent> events) {
      return new Update(
          execution,
          execution.status(),
          Remote.unanswered(execution),
          Times.UNCHANGED,
          errors,
          next,
          events);
    }

    /**
     * The execution fails without an answer of AMC to go by: its checks failed too often in a row,
     * or AMC refused its create for a reason not worth another try.
     */
    static Update failedUnanswered(
        ClaimedExecution execution,
        Errors errors,
        Instant now,
        Instant next,
        List<NewEvent> events) {
      return new Update(
          execution,
          ExecutionStatus.FAILED,
          Remote.unanswered(execution),
          Times.completed(execution.startedAt(), now),
          errors,
          next,
          events);
    }

    @Override
    public String outcome() {
      Set<EventType> types = EnumSet.noneOf(EventType.class);
      events.forEach(event -> types.add(event.type()));
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

    /** A remote id this update gives the execution, else its own. */
    @Override
    public String remoteId() {
      return remote.amcExecutionId() != null ? remote.amcExecutionId() : execution.amcExecutionId();
    }

    long transitions() {
      return events.stream().filter(e -> e.type() == EventType.TRANSITION).count();
    }

    /** The write gives the execution its remote id: an answered create, or an adoption. */
    boolean takesRemoteId() {
      return remote.amcExecutionId() != null && execution.amcExecutionId() == null;
    }

    /** The update carries a LONG_EXECUTION warning, so the row records when it was warned. */
    boolean warnsOfLongExecution() {
      return events.stream().anyMatch(event -> event.type() == EventType.LONG_EXECUTION);
    }
  }

  /**
   * What AMC said of the run. {@code status} is written as given (an update without an answer gives
   * the stored one back); the other fields only when not null.
   */
  record Remote(
      String amcExecutionId,
      String status,
      String statusReason,
      Instant expireTime,
      Integer timeoutSeconds,
      ResultDelivery delivery) {

    /** What AMC said, without output channels (the result step then opens to download). */
    Remote(
        String amcExecutionId,
        String status,
        String statusReason,
        Instant expireTime,
        Integer timeoutSeconds) {
      this(amcExecutionId, status, statusReason, expireTime, timeoutSeconds, null);
    }

    static Remote of(RemoteExecution answer) {
      return new Remote(
          answer.workflowExecutionId(),
          answer.status(),
          answer.statusReason(),
          answer.expireTime(),
          answer.timeoutSeconds(),
          answer.outputChannels().isEmpty()
              ? null
              : ResultDelivery.of(answer.outputChannels(), answer.outputS3Uri()));
    }

    /** No answer: the stored remote status, nothing else. */
    static Remote unanswered(ClaimedExecution execution) {
      return new Remote(null, execution.remoteStatus(), null, null, null);
    }
  }

  /**
   * When the run was submitted, started and completed, and how long it ran in whole seconds.
   * Submitted and started are set once (a stored time is kept); completed is written as given; the
   * duration only when not null.
   */
  record Times(
      Instant submittedAt, Instant startedAt, Instant completedAt, Integer durationSeconds) {

    /** Nothing to record: not submitted, started or completed by this write. */
    static final Times UNCHANGED = new Times(null, null, null, null);

    /** Completed at {@code now}, with a duration when the run had started. */
    static Times completed(Instant startedAt, Instant now) {
      return new Times(null, null, now, ran(startedAt, now));
    }

    /** Whole seconds from start to completion; null until both are known. */
    static Integer ran(Instant startedAt, Instant completedAt) {
      return startedAt == null || completedAt == null
          ? null
          : (int) Duration.between(startedAt, completedAt).toSeconds();
    }
  }

  /**
   * The error columns: failed checks in a row (written as given), and, only when not null, the last
   * failure ({@code lastError} at {@code lastErrorAt}), its type, and why the execution ended.
   */
  record Errors(
      int checksFailedInARow,
      String lastError,
      Instant lastErrorAt,
      ErrorType type,
      String message) {

    /** A check that went fine: the count of failed checks starts again. */
    static final Errors NONE = new Errors(0, null, null, null, null);

    /** The execution ends badly for {@code message}, by an answer of AMC. */
    static Errors ended(ErrorType type, String message) {
      return new Errors(0, null, null, type, message);
    }

    /**
     * The {@code inARow}th failed check in a row failed with {@code lastError}; {@code endedWith}
     * says why the execution ends, or is null while it goes on.
     */
    static Errors failedCheck(
        int inARow, ErrorType type, String lastError, Instant at, String endedWith) {
      return new Errors(inARow, lastError, at, type, endedWith);
    }

    /** AMC refused the create with {@code refusal}; {@code endedWith} says why it ends. */
    static Errors refusedCreate(ErrorType type, String refusal, Instant at, String endedWith) {
      return new Errors(0, refusal, at, type, endedWith);
    }
  }
}
