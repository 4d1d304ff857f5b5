package io.executionpoller.poll;

import io.executionpoller.execution.EventType;
import io.executionpoller.execution.ExecutionStatus;
import java.time.Instant;
import java.util.List;

/** What to persist for one check, decided before any write. */
sealed interface WritePlan {

  ClaimedExecution execution();

  /** Nothing changed but the remote status text and the next check time: batched with others. */
  record Reschedule(ClaimedExecution execution, String remoteStatus, Instant nextPollAt)
      implements WritePlan {}

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
  }
}
