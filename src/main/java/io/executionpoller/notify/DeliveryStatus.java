package io.executionpoller.notify;

/** Where a delivery stands. */
public enum DeliveryStatus {
  /** Owed: waiting for its next attempt (or being attempted under a lease). */
  PENDING,
  /** A receiver answered 2xx. */
  DELIVERED,
  /** Every attempt failed until max-age passed; only an operator's redelivery sends it again. */
  DEAD
}
