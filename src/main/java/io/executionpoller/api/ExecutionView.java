package io.executionpoller.api;

import io.executionpoller.execution.ExecutionStatus;
import io.executionpoller.execution.TimeWindow;
import io.executionpoller.execution.WorkflowExecution;
import io.executionpoller.results.ResultSummary;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * One execution as an operator needs to see it: statuses, timestamps, errors, retry and poll
 * counts, the next check, the lease holder, retry links and the result step. {@code queuedReason}
 * says why a PENDING execution waits locally instead of being created at AMC (one of
 * INSTANCE_CONCURRENCY, ACCOUNT_CONCURRENCY, DAILY_QUOTA).
 */
public record ExecutionView(
    UUID id,
    UUID workflowId,
    String workflowName,
    String instanceId,
    String amcExecutionId,
    ExecutionStatus status,
    String remoteStatus,
    String statusReason,
    String queuedReason,
    Instant createdAt,
    Instant updatedAt,
    Instant submittedAt,
    Instant startedAt,
    Instant completedAt,
    Instant nextPollAt,
    Instant lastPolledAt,
    int pollCount,
    int consecutivePollErrors,
    String lastError,
    Instant lastErrorAt,
    String errorType,
    String errorMessage,
    int retryCount,
    Instant nextRetryAt,
    String leaseOwner,
    Instant leaseExpiresAt,
    Map<String, String> parameterValues,
    TimeWindow timeWindow,
    Long resultRows,
    Long resultSizeBytes,
    Integer executionDurationSeconds,
    UUID retryOf,
    UUID retriedBy,
    ResultSummary result) {

  /** A just registered execution: no workflow details, retry or result yet. */
  static ExecutionView of(WorkflowExecution e) {
    return of(e, null, null, null, null);
  }

  /**
   * An execution with its workflow's name, its instance, the run that retried it and its result.
   */
  static ExecutionView of(
      WorkflowExecution e,
      String workflowName,
      String instanceId,
      UUID retriedBy,
      ResultSummary result) {
    return new ExecutionView(
        e.id,
        e.workflowId,
        workflowName,
        instanceId,
        e.amcExecutionId,
        e.status,
        e.remoteStatus,
        e.statusReason,
        waitsLocally(e) ? e.queuedReason : null,
        e.createdAt,
        e.updatedAt,
        e.submittedAt,
        e.startedAt,
        e.completedAt,
        e.nextPollAt,
        e.lastPolledAt,
        e.pollCount,
        e.consecutivePollErrors,
        e.lastError,
        e.lastErrorAt,
        e.errorType,
        e.errorMessage,
        e.retryCount,
        e.nextRetryAt,
        e.leaseOwner,
        e.leaseExpiresAt,
        e.parameters,
        e.timeWindow,
        e.resultRows,
        e.resultSizeBytes,
        e.executionDurationSeconds,
        e.retryOf,
        retriedBy,
        result);
  }

  /** A reason for waiting is shown only while the execution still waits to be created. */
  private static boolean waitsLocally(WorkflowExecution e) {
    return e.status == ExecutionStatus.PENDING && e.amcExecutionId == null;
  }
}
