package io.executionpoller.notify;

/**
 * A delivery that gave up, with where it was going: only the receiver's scheme, host and port (a
 * subscription URL's path or query may carry a receiver's token, so it is never shown).
 */
public record DeadDelivery(DeliveryView delivery, String receiver) {}
