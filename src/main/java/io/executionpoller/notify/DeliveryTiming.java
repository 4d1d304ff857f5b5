package io.executionpoller.notify;

import java.time.Duration;
import java.util.Optional;

/**
 * A batch's answers are recorded once its slowest post has ended, under the batch's lease: if the
 * lease can run out first, another replica claims the same deliveries and sends them alongside. The
 * slowest batch posts in ceil(batch-size / max-concurrent-sends) rounds, each at most a connect and
 * a request timeout long; the lease must outlast that by a third (the claim, the bodies, the record
 * and a slow database take some too).
 */
final class DeliveryTiming {

  private DeliveryTiming() {}

  /** Why these settings could let a lease end before its batch is recorded, if they could. */
  static Optional<String> problem(
      int batchSize, int maxConcurrentSends, Duration connect, Duration request, Duration lease) {
    if (batchSize < 1 || maxConcurrentSends < 1) {
      return Optional.of(
          "poller.notifications.batch-size and max-concurrent-sends must be at least 1");
    }
    long rounds = (batchSize + maxConcurrentSends - 1) / maxConcurrentSends;
    Duration slowest = connect.plus(request).multipliedBy(rounds);
    if (slowest.multipliedBy(4).compareTo(lease.multipliedBy(3)) > 0) {
      return Optional.of(
          "poller.notifications.lease-duration ("
              + lease
              + ") must be at least 4/3 of the slowest batch, ceil(batch-size / max-concurrent-sends)"
              + " x (connect-timeout + request-timeout) = "
              + slowest
              + ": raise it, or lower batch-size or the timeouts, or raise max-concurrent-sends");
    }
    return Optional.empty();
  }

  /** Stops the boot with the reason when the settings could let a lease end mid-batch. */
  static void check(NotificationsConfig config) {
    problem(
            config.batchSize(),
            config.maxConcurrentSends(),
            config.connectTimeout(),
            config.requestTimeout(),
            config.leaseDuration())
        .ifPresent(
            reason -> {
              throw new IllegalStateException(reason);
            });
  }
}
