package io.executionpoller.poll;

import io.executionpoller.execution.EventType;
import io.executionpoller.execution.ExecutionStatus;
import io.executionpoller.failure.ErrorType;
import java.time.Instant;
import java.util.List;

/** What to persist for one check, decided before any write. */
sealed interface WritePlan {

  ClaimedExecution execution();

  /** Nothing changed but the remote status text and the next check time: batched with others. */
  record Reschedule(ClaimedExecution execution, String remoteStatus, Instant nextPollAt)
      implements WritePlan {}

  /**
   * The call was held back before sending (breaker, rate limit, credentials): come back later and
   * count nothing against the execution. Batched with others.
   */
  record Defer(ClaimedExecution execution, Instant nextPollAt, boolean forgetSubmitAttempt)
      implements WritePlan {}

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
  }

  /** The claim was lost; write nothing. */
  record Skip(ClaimedExecution execution) implements WritePlan {}

  /** A write of its own, with its events, in one transaction. Null fields keep the stored value. */
  record Update(
      ClaimedExecution execution,
      ExecutionStatus newStatus,
      String amcExecutionId,
      String remoteStatus,
      String statusReason,
      Instant submittedAt,
      Instant startedAt,
      Instant completedAt,
      Instant remoteExpireTime,
      Integer remoteTimeoutSeconds,
      Integer executionDurationSeconds,
      int consecutivePollErrors,
      String lastError,
      Instant lastErrorAt,
      String errorType,
      String errorMessage,
      Instant nextPollAt,
      List<NewEvent> events)
      implements WritePlan {

    public Update {
      events = List.copyOf(events);
    }

    long transitions() {
      return events.stream().filter(e -> e.type() == EventType.TRANSITION).count();
    }

    /** The write gives the execution its remote id: an answered create, or an adoption. */
    boolean takesRemoteId() {
      return amcExecutionId != null && execution.amcExecutionId() == null;
    }
  }
}
