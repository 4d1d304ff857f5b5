package io.executionpoller.notify;

import java.time.Instant;
import java.util.UUID;

/**
 * One audit event as the live stream sends it: the execution's event with the workflow and AMC
 * instance it belongs to, so a follower needs no second request. {@code sequence} is also the SSE
 * id.
 */
public record StreamedEvent(
    long sequence,
    UUID executionId,
    UUID workflowId,
    String instanceId,
    Instant occurredAt,
    String type,
    int attempt,
    String fromStatus,
    String toStatus,
    String remoteStatus,
    String amcExecutionId,
    String message,
    String replica) {}
