package io.executionpoller.notify;

import io.executionpoller.db.FromBlockingThread;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.scheduler.Scheduled;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * The notification feature's meters, registered here only: deliveries by outcome, the latency from
 * the outbox row's commit to a 2xx, the outbox's depth and the age of its oldest pending delivery
 * (read from the database every 15 s, so every replica reports the same backlog), and the pages the
 * live event streams read.
 */
@Singleton
public class NotificationMetrics {

  private static final Logger LOG = Logger.getLogger(NotificationMetrics.class);

  private final MeterRegistry registry;
  private final DeliveryStore store;
  private final Map<String, Counter> outcomes = new ConcurrentHashMap<>();
  private final Timer latency;
  private final AtomicLong pending = new AtomicLong();
  private final AtomicReference<Double> oldestAge = new AtomicReference<>(0.0);
  private final Counter streamPages;

  NotificationMetrics(MeterRegistry registry, DeliveryStore store) {
    this.registry = registry;
    this.store = store;
    this.latency =
        Timer.builder("poller.notifications.delivery.latency")
            .description("From the outbox row's commit to the receiver's 2xx")
            .publishPercentileHistogram()
            .register(registry);
    Gauge.builder("poller.notifications.outbox.pending", pending, AtomicLong::get)
        .description("Webhook deliveries still owed (all replicas)")
        .register(registry);
    Gauge.builder("poller.notifications.outbox.oldest.age", oldestAge, AtomicReference::get)
        .description("Age of the oldest webhook delivery still owed")
        .baseUnit("seconds")
        .register(registry);
    this.streamPages =
        Counter.builder("poller.events.stream.pages")
            .description("Pages of events read from the database for live event streams")
            .register(registry);
    for (String outcome : new String[] {"delivered", "failed", "dead", "lease_lost"}) {
      counter(outcome);
    }
  }

  private Counter counter(String outcome) {
    return outcomes.computeIfAbsent(
        outcome,
        o ->
            Counter.builder("poller.notifications.deliveries")
                .description("Webhook delivery attempts by outcome")
                .tag("outcome", o)
                .register(registry));
  }

  void outcome(String outcome) {
    counter(outcome).increment();
  }

  void delivered(double secondsFromCommit) {
    outcome("delivered");
    latency.record(Duration.ofNanos((long) (Math.max(0, secondsFromCommit) * 1e9)));
  }

  /** A live event stream read a page of events from the database. */
  void streamPageRead() {
    streamPages.increment();
  }

  @Scheduled(
      identity = "webhook-outbox-gauges",
      every = "15S",
      executeWith = Scheduled.SIMPLE,
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  public void refresh() {
    try {
      DeliveryStore.Backlog backlog = FromBlockingThread.inSession(store::backlog);
      pending.set(backlog.pending());
      oldestAge.set(backlog.oldestAgeSeconds());
    } catch (RuntimeException e) {
      LOG.debugf("reading the webhook outbox's depth failed: %s", e.toString());
    }
  }
}
