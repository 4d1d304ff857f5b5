package io.executionpoller.admin;

import io.executionpoller.execution.ExecutionStatus;
import java.time.Instant;
import java.util.UUID;

/** What an operator action did: the execution's status afterwards and, for a retry, the new run. */
public record ActionOutcome(
    UUID executionId,
    String action,
    ExecutionStatus status,
    boolean remoteCancelled,
    Instant nextPollAt,
    UUID retryId,
    String message) {}
