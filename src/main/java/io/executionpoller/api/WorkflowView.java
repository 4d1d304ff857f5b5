package io.executionpoller.api;

import io.executionpoller.execution.AmcAccount;
import io.executionpoller.execution.AmcInstance;
import io.executionpoller.execution.Workflow;
import java.time.Instant;
import java.util.UUID;

/** A registered workflow as the API shows it. */
public record WorkflowView(
    UUID id,
    String name,
    String instanceId,
    String advertiserId,
    String marketplaceId,
    String workflowId,
    String sqlQuery,
    Integer maxRuntimeSeconds,
    Integer warningThresholdSeconds,
    Instant createdAt) {

  static WorkflowView of(Workflow workflow, AmcInstance instance, AmcAccount account) {
    return new WorkflowView(
        workflow.id,
        workflow.name,
        instance.instanceId,
        account.advertiserId,
        account.marketplaceId,
        workflow.amcWorkflowId,
        workflow.sqlQuery,
        workflow.maxRuntimeSeconds,
        workflow.warningThresholdSeconds,
        workflow.createdAt);
  }
}
