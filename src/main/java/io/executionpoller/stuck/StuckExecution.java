package io.executionpoller.stuck;

import java.time.Instant;
import java.util.UUID;

/**
 * One stuck execution and why: {@code since} is when the condition began (registration, start,
 * lease expiry, due time, last error, expiry, success), {@code detail} says it in words.
 */
public record StuckExecution(
    UUID executionId,
    UUID workflowId,
    String amcExecutionId,
    String status,
    StuckReason reason,
    Instant since,
    String detail,
    String leaseOwner,
    String resultStatus,
    String lastError) {}
