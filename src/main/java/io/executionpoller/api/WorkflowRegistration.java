package io.executionpoller.api;

/** Body of POST /api/v1/workflows: where to run, and a saved workflow id or an ad hoc query. */
public record WorkflowRegistration(
    String instanceId,
    String advertiserId,
    String marketplaceId,
    String workflowId,
    String sqlQuery,
    String name,
    Integer maxRuntimeSeconds,
    Integer warningThresholdSeconds,
    String apiBaseUrl,
    Boolean validate) {}
