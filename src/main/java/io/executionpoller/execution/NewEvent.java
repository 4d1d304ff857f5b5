package io.executionpoller.execution;

/**
 * An audit entry to append together with the write that caused it; {@code from}, {@code to} and
 * {@code remoteStatus} are null where the event has none.
 */
public record NewEvent(
    EventType type,
    ExecutionStatus from,
    ExecutionStatus to,
    String remoteStatus,
    String message) {}
