package io.executionpoller.api;

import io.executionpoller.execution.ExecutionStatus;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;

/** GET /executions filters; null or empty means "any". */
public record ExecutionFilter(
    Set<ExecutionStatus> statuses, UUID workflowId, String instanceId, Instant createdAfter) {}
