package io.executionpoller.api;

import io.executionpoller.execution.ExecutionStatus;
import io.executionpoller.execution.WorkflowExecution;
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
    Long resultSizeBytes) {

  /** The line of {@code e}, with its workflow's name, its instance and its result step's status. */
  static ExecutionSummary of(
      WorkflowExecution e, String workflowName, String instanceId, String resultStatus) {
    return new ExecutionSummary(
        e.id,
        e.workflowId,
        workflowName,
        instanceId,
        e.amcExecutionId,
        e.status,
        e.remoteStatus,
        e.createdAt,
        e.startedAt,
        e.completedAt,
        e.nextPollAt,
        e.errorType,
        e.errorMessage,
        e.retryCount,
        e.retryOf,
        resultStatus,
        e.resultRows,
        e.resultSizeBytes);
  }
}
