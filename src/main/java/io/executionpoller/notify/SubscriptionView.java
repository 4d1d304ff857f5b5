package io.executionpoller.notify;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A subscription as the API shows it. {@code secret} is only filled in the answer that creates it
 * or rotates it; {@code previousSecretValidUntil} says until when the old one still signs. {@code
 * executionId} is set for the callbackUrl of one execution.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SubscriptionView(
    UUID id,
    String url,
    List<String> eventTypes,
    UUID workflowId,
    String instanceId,
    UUID executionId,
    boolean enabled,
    boolean paused,
    String description,
    Instant createdAt,
    Instant updatedAt,
    Instant previousSecretValidUntil,
    String secret) {

  SubscriptionView withSecret(String shownOnce) {
    return new SubscriptionView(
        id,
        url,
        eventTypes,
        workflowId,
        instanceId,
        executionId,
        enabled,
        paused,
        description,
        createdAt,
        updatedAt,
        previousSecretValidUntil,
        shownOnce);
  }
}
