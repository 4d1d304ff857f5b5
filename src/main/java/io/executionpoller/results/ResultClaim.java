package io.executionpoller.results;

import io.executionpoller.remote.RemoteTarget;
import io.executionpoller.tracing.TracedExecution;
import java.util.UUID;

/**
 * One download claimed by this replica: which attempt it is and where the result lives ({@code
 * workflowId} names it in log lines). {@code attempt} numbers every claim and never repeats (it
 * fences the attempt's writes); {@code counted} is this attempt's place among those that count
 * against max-attempts (claims that were deferred or handed back do not). {@code traceparent} is
 * the trace the execution was registered in (null when none was recorded).
 */
record ResultClaim(
    UUID executionId,
    int attempt,
    int counted,
    String amcExecutionId,
    UUID workflowId,
    RemoteTarget target,
    String traceparent) {

  /** The execution as its download span names it. */
  TracedExecution traced() {
    return new TracedExecution(
        executionId, workflowId, target.instanceId(), amcExecutionId, traceparent);
  }
}
