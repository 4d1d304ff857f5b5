package io.executionpoller.api;

import io.executionpoller.execution.TimeWindow;
import java.util.Map;
import java.util.UUID;

/**
 * One registration of POST /api/v1/executions/batch: the body of POST /api/v1/executions plus the
 * Idempotency-Key that the single request sends as a header, required here so that a batch sent
 * again after a lost answer never registers anything twice. A callbackUrl subscribes to that item's
 * execution alone, as it does on the single request.
 */
public record BatchItem(
    String idempotencyKey,
    UUID workflowId,
    String amcExecutionId,
    Map<String, String> parameterValues,
    TimeWindow timeWindow,
    String callbackUrl) {

  /**
   * The single registration this item stands for, callbackUrl included, so its digest is the single
   * request's and a key reused with another callback is refused as there.
   */
  ExecutionRegistration registration() {
    return new ExecutionRegistration(
        workflowId, amcExecutionId, parameterValues, timeWindow, callbackUrl);
  }
}
