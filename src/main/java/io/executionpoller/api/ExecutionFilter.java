package io.executionpoller.api;

import io.executionpoller.execution.ExecutionStatus;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;

/**
 * Which executions a list shows; null or empty means "any". {@code workflowName} matches a
 * workflow's name (ignoring case) or its AMC workflow id; the time range is on registration.
 */
public record ExecutionFilter(
    Set<ExecutionStatus> statuses,
    UUID workflowId,
    String workflowName,
    String instanceId,
    String advertiserId,
    String errorType,
    Instant createdAfter,
    Instant createdBefore) {

  /** The filters of GET /api/v1/executions. */
  public ExecutionFilter(
      Set<ExecutionStatus> statuses, UUID workflowId, String instanceId, Instant createdAfter) {
    this(statuses, workflowId, null, instanceId, null, null, createdAfter, null);
  }

  /** The same filter for any status: what the counts per status are taken over. */
  public ExecutionFilter anyStatus() {
    return new ExecutionFilter(
        Set.of(),
        workflowId,
        workflowName,
        instanceId,
        advertiserId,
        errorType,
        createdAfter,
        createdBefore);
  }
}
