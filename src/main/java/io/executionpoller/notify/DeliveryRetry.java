package io.executionpoller.notify;

import io.executionpoller.failure.BackoffPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * When a failed delivery is tried again: full jitter below a ceiling that starts at the base and
 * doubles per failed attempt up to the cap; never later than max-age after the delivery became due,
 * after which it is dead.
 */
record DeliveryRetry(BackoffPolicy backoff, Duration maxAge) {

  static DeliveryRetry of(NotificationsConfig config) {
    return new DeliveryRetry(
        new BackoffPolicy(config.backoffBase(), config.backoffCap(), Duration.ofSeconds(1)),
        config.maxAge());
  }

  /**
   * The next attempt after the {@code failedAttempts}-th failure (1 for the first), or empty when
   * the delivery is dead.
   */
  Optional<Instant> next(
      int failedAttempts, Instant dueSince, Instant now, RandomGenerator random) {
    Instant next = now.plus(backoff.fullJitter(Math.max(0, failedAttempts - 1), random));
    return next.isAfter(dueSince.plus(maxAge)) ? Optional.empty() : Optional.of(next);
  }
}
