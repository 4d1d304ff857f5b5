package io.executionpoller.notify;

import java.time.Instant;
import java.util.UUID;

/**
 * One delivery as the API shows it. {@code id} is the webhook-id receivers see; {@code
 * nextAttemptAt} is null unless it is still owed.
 */
public record DeliveryView(
    UUID id,
    UUID subscriptionId,
    long eventSequence,
    UUID executionId,
    String eventType,
    DeliveryStatus status,
    Instant occurredAt,
    Instant createdAt,
    int attempts,
    Instant nextAttemptAt,
    Instant lastAttemptAt,
    Integer lastStatusCode,
    String lastError,
    Instant deliveredAt) {}
