package io.executionpoller.api;

import io.executionpoller.execution.TimeWindow;
import java.util.Map;
import java.util.UUID;

/**
 * One registration of POST /api/v1/executions/batch: the body of POST /api/v1/executions plus the
 * Idempotency-Key that the single request sends as a header, required here so that a batch sent
 * again after a lost answer never registers anything twice.
 */
public record BatchItem(
    String idempotencyKey,
    UUID workflowId,
    String amcExecutionId,
    Map<String, String> parameterValues,
    TimeWindow timeWindow) {

  /**
   * The single registration this item stands for (its digest is the single request's). A batch
   * registers no callbacks: a backfill's hundreds of executions report through a subscription.
   */
  ExecutionRegistration registration() {
    return new ExecutionRegistration(workflowId, amcExecutionId, parameterValues, timeWindow, null);
  }
}
