package io.executionpoller.api;

import io.executionpoller.execution.ExecutionStatus;
import java.time.Instant;
import java.util.UUID;

/** One line of GET /executions: enough to spot a problem; the detail view has everything. */
public record ExecutionSummary(
    UUID id,
    UUID workflowId,
    String workflowName,
    String instanceId,
    String amcExecutionId,
    ExecutionStatus status,
    String remoteStatus,
    Instant createdAt,
    Instant startedAt,
    Instant completedAt,
    Instant nextPollAt,
    String errorType,
    String errorMessage,
    int retryCount,
    UUID retryOf,
    String resultStatus,
    Long resultRows,
    Long resultSizeBytes) {}
