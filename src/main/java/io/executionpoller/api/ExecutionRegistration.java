package io.executionpoller.api;

import io.executionpoller.execution.TimeWindow;
import java.util.Map;
import java.util.UUID;

/**
 * Body of POST /api/v1/executions. Without amcExecutionId the daemon submits it; with one, the
 * already-submitted remote execution is only tracked. With callbackUrl, this execution's
 * notifications are also sent there.
 */
public record ExecutionRegistration(
    UUID workflowId,
    String amcExecutionId,
    Map<String, String> parameterValues,
    TimeWindow timeWindow,
    String callbackUrl) {}
