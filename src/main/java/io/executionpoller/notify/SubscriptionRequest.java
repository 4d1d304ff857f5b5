package io.executionpoller.notify;

import java.util.List;
import java.util.UUID;

/**
 * Body of POST /api/v1/subscriptions, and of PATCH where every absent field is kept. The filters
 * (workflowId, instanceId) are fixed at creation.
 */
public record SubscriptionRequest(
    String url,
    List<String> eventTypes,
    UUID workflowId,
    String instanceId,
    Boolean enabled,
    String description) {}
