package io.executionpoller.remote;

import java.time.Instant;

/**
 * What AMC said about one execution. {@code status} is kept verbatim (it may be a value this daemon
 * does not know); the times are null when AMC did not send them or sent them unreadable.
 */
public record RemoteExecution(
    String workflowExecutionId,
    String workflowId,
    String status,
    String statusReason,
    Instant createTime,
    Instant lastUpdatedTime,
    Instant expireTime,
    Integer timeoutSeconds) {}
