package io.executionpoller.notify;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A delivery leased to this replica, with what sending it needs. {@code payload} is null until the
 * body is fixed before its first attempt. {@code traceparent} is the trace the execution was
 * registered in (null when none was recorded), which the attempts' spans continue.
 */
record ClaimedDelivery(
    UUID id,
    UUID subscriptionId,
    long eventId,
    UUID executionId,
    String eventType,
    Instant occurredAt,
    Instant dueSince,
    Instant createdAt,
    int attempts,
    String payload,
    String url,
    List<String> secrets,
    String traceparent) {

  /** Never the secrets or the body: a record's default would print both into a log line. */
  @Override
  public String toString() {
    return "ClaimedDelivery[id="
        + id
        + ", eventType="
        + eventType
        + ", execution="
        + executionId
        + ", attempts="
        + attempts
        + "]";
  }

  ClaimedDelivery withPayload(String fixed) {
    return new ClaimedDelivery(
        id,
        subscriptionId,
        eventId,
        executionId,
        eventType,
        occurredAt,
        dueSince,
        createdAt,
        attempts,
        fixed,
        url,
        secrets,
        traceparent);
  }
}
