package io.executionpoller.poll;

import io.executionpoller.execution.ExecutionStatus;
import io.executionpoller.execution.TimeWindow;
import io.executionpoller.logging.ExecutionIds;
import io.executionpoller.remote.CreateExecutionRequest;
import io.executionpoller.remote.RemoteTarget;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * An execution this replica holds the lease on, with what a check needs to reach AMC. {@code
 * leaseExpiresAt} is reckoned on this replica's clock from the claim (the database keeps the lease
 * on its own clock), so a check can tell whether it fits in the lease whatever the clocks' offset.
 * {@code traceparent} is the trace its registration ran in (null when none was recorded), which its
 * checks continue.
 */
public record ClaimedExecution(
    UUID id,
    UUID workflowId,
    long version,
    ExecutionStatus status,
    String remoteStatus,
    String amcExecutionId,
    int retryCount,
    int consecutivePollErrors,
    Instant startedAt,
    Instant submitAttemptedAt,
    RemoteTarget target,
    String amcWorkflowId,
    String sqlQuery,
    Map<String, String> parameters,
    TimeWindow timeWindow,
    RuntimeFacts runtime,
    Instant leaseExpiresAt,
    String traceparent) {

  /** What decides how long this execution may run (see RuntimeLimit) and whether it was warned. */
  public record RuntimeFacts(
      Integer workflowMaxSeconds,
      Integer workflowWarningSeconds,
      Integer remoteTimeoutSeconds,
      Instant warnedAt) {}

  boolean needsSubmission() {
    return amcExecutionId == null;
  }

  /** A create was sent before and no remote id came back: it may exist remotely all the same. */
  boolean hadUnansweredCreate() {
    return amcExecutionId == null && submitAttemptedAt != null;
  }

  ClaimedExecution withVersion(long newVersion) {
    return new ClaimedExecution(
        id,
        workflowId,
        newVersion,
        status,
        remoteStatus,
        amcExecutionId,
        retryCount,
        consecutivePollErrors,
        startedAt,
        submitAttemptedAt,
        target,
        amcWorkflowId,
        sqlQuery,
        parameters,
        timeWindow,
        runtime,
        leaseExpiresAt,
        traceparent);
  }

  /** Who a lifecycle line about this execution and the remote run {@code remote} is about. */
  ExecutionIds ids(String remote) {
    return new ExecutionIds(id, remote, workflowId, target.instanceId(), traceparent);
  }

  CreateExecutionRequest createRequest() {
    return new CreateExecutionRequest(amcWorkflowId, sqlQuery, timeWindow, parameters);
  }

  /** What the registering caller chose and AMC may quote back: workflow id, query, parameters. */
  List<String> callerText() {
    List<String> text = new ArrayList<>();
    text.add(amcWorkflowId);
    text.add(sqlQuery);
    if (parameters != null) {
      text.addAll(parameters.values());
    }
    return text;
  }
}
