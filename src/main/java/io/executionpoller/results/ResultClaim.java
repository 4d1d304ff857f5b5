package io.executionpoller.results;

import io.executionpoller.remote.RemoteTarget;
import java.util.UUID;

/**
 * One download claimed by this replica: which attempt it is and where the result lives ({@code
 * workflowId} names it in log lines).
 */
record ResultClaim(
    UUID executionId, int attempt, String amcExecutionId, UUID workflowId, RemoteTarget target) {}
