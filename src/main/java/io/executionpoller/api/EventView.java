package io.executionpoller.api;

import io.executionpoller.execution.ExecutionEvent;
import java.time.Instant;

/** One entry of an execution's audit trail; {@code sequence} is global and only grows. */
public record EventView(
    long sequence,
    Instant occurredAt,
    String type,
    int attempt,
    String fromStatus,
    String toStatus,
    String remoteStatus,
    String amcExecutionId,
    String message,
    String replica) {

  static EventView of(ExecutionEvent event) {
    return new EventView(
        event.id,
        event.occurredAt,
        event.type.name(),
        event.attempt,
        event.fromStatus == null ? null : event.fromStatus.name(),
        event.toStatus == null ? null : event.toStatus.name(),
        event.remoteStatus,
        event.amcExecutionId,
        event.message,
        event.replica);
  }
}
