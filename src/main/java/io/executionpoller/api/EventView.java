package io.executionpoller.api;

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
    String replica) {}
