package io.executionpoller.notify;

import io.executionpoller.crashpoint.CrashPoint;
import io.executionpoller.crashpoint.CrashPoints;
import io.executionpoller.db.FromBlockingThread;
import io.executionpoller.logging.OutageLog;
import io.executionpoller.replica.ReplicaIdentity;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.ScheduledExecution;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import org.jboss.logging.Logger;

/**
 * Sends due deliveries from every replica. Each tick leases as many due deliveries as there are
 * free senders ({@code FOR UPDATE SKIP LOCKED} and a lease, like the poll loop), fixes each body
 * before its first attempt, posts it, and records the answer under the lease: a 2xx delivers it,
 * anything else schedules the next attempt or, past max-age, marks it dead. A replica that dies
 * between the post and the record leaves the lease to expire, and the delivery is sent again with
 * the same id: at least once.
 */
@Singleton
public class DeliveryDispatcher {

  private static final Logger LOG = Logger.getLogger(DeliveryDispatcher.class);

  private final DeliveryStore store;
  private final WebhookPayload payloads;
  private final WebhookSender sender;
  private final NotificationsConfig config;
  private final DeliveryRetry retry;
  private final NotificationMetrics metrics;
  private final CrashPoints crashPoints;
  private final Clock clock;
  private final String owner;
  private final ExecutorService senders;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final RandomGenerator random = RandomGenerator.getDefault();
  private final OutageLog claimLog = new OutageLog(Duration.ofMinutes(1));
  private volatile boolean stopping;

  DeliveryDispatcher(
      DeliveryStore store,
      WebhookPayload payloads,
      WebhookSender sender,
      NotificationsConfig config,
      NotificationMetrics metrics,
      CrashPoints crashPoints,
      Clock clock,
      ReplicaIdentity replica) {
    this.store = store;
    this.payloads = payloads;
    this.sender = sender;
    this.config = config;
    this.retry = DeliveryRetry.of(config);
    this.metrics = metrics;
    this.crashPoints = crashPoints;
    this.clock = clock;
    this.owner = replica.id();
    this.senders =
        Executors.newFixedThreadPool(
            Math.max(1, config.maxConcurrentSends()),
            runnable -> {
              Thread thread = new Thread(runnable, "webhook-sender");
              thread.setDaemon(true);
              return thread;
            });
  }

  @Scheduled(
      identity = "webhook-deliveries",
      every = "${poller.notifications.tick}",
      executeWith = Scheduled.SIMPLE,
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
      skipExecutionIf = NotificationsDisabled.class)
  void tick() {
    try {
      dispatch(owner);
      if (claimLog.succeeded() == OutageLog.Line.RECOVERED) {
        LOG.infof("claiming webhook deliveries recovered after %d failures", claimLog.failures());
      }
    } catch (RuntimeException e) {
      if (claimLog.failed(clock.instant()) != OutageLog.Line.NOTHING) {
        LOG.warnf("claiming webhook deliveries failed (database unreachable?): %s", e.toString());
      }
    }
  }

  /**
   * Leases due deliveries to {@code leaseOwner} for the free senders and starts them; the returned
   * futures end when each attempt is recorded. Tests pass their own owner to act as a replica.
   */
  public List<CompletableFuture<Void>> dispatch(String leaseOwner) {
    int free = Math.min(config.batchSize(), config.maxConcurrentSends() - inFlight.get());
    if (stopping || free <= 0) {
      return List.of();
    }
    Instant now = clock.instant();
    List<ClaimedDelivery> claimed =
        FromBlockingThread.inTransaction(
            () -> store.claim(leaseOwner, now, config.leaseDuration(), free));
    List<CompletableFuture<Void>> running = new ArrayList<>();
    for (ClaimedDelivery delivery : claimed) {
      inFlight.incrementAndGet();
      running.add(
          CompletableFuture.runAsync(() -> attempt(delivery, leaseOwner), senders)
              .whenComplete((done, failure) -> inFlight.decrementAndGet()));
    }
    return running;
  }

  /** Dispatches once as this replica and waits for every attempt: how tests drive deliveries. */
  public int runOnce() {
    List<CompletableFuture<Void>> running = dispatch(owner);
    CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).join();
    return running.size();
  }

  private void attempt(ClaimedDelivery claimed, String leaseOwner) {
    try {
      Optional<ClaimedDelivery> ready = withPayload(claimed, leaseOwner);
      if (ready.isEmpty()) {
        metrics.outcome("lease_lost");
        return;
      }
      ClaimedDelivery delivery = ready.get();
      WebhookSender.Attempt attempt = sender.send(delivery);
      crashPoints.reached(CrashPoint.AFTER_WEBHOOK_SENT, delivery.executionId());
      record(delivery, leaseOwner, attempt);
    } catch (RuntimeException e) {
      // The lease runs out and another attempt follows; say why this one ended without a record.
      LOG.warnf("webhook delivery %s: attempt not recorded: %s", claimed.id(), e.toString());
    }
  }

  /** The delivery with its fixed body, building it first if this is its first attempt. */
  private Optional<ClaimedDelivery> withPayload(ClaimedDelivery delivery, String leaseOwner) {
    if (delivery.payload() != null) {
      return Optional.of(delivery);
    }
    String built = FromBlockingThread.inSession(() -> payloads.of(delivery));
    String fixed =
        FromBlockingThread.inTransaction(() -> store.fixPayload(delivery.id(), leaseOwner, built));
    return Optional.ofNullable(fixed).map(delivery::withPayload);
  }

  private void record(ClaimedDelivery delivery, String leaseOwner, WebhookSender.Attempt attempt) {
    Instant now = clock.instant();
    if (attempt.delivered()) {
      Double latency =
          FromBlockingThread.inTransaction(
              () -> store.delivered(delivery.id(), leaseOwner, now, attempt.statusCode()));
      if (latency == null) {
        metrics.outcome("lease_lost");
      } else {
        metrics.delivered(latency);
      }
      return;
    }
    Optional<Instant> next = retry.next(delivery.attempts() + 1, delivery.dueSince(), now, random);
    boolean recorded =
        FromBlockingThread.inTransaction(
            () ->
                store.failed(
                    delivery.id(),
                    leaseOwner,
                    now,
                    attempt.statusCode(),
                    attempt.error(),
                    next.orElse(null)));
    if (!recorded) {
      metrics.outcome("lease_lost");
    } else if (next.isEmpty()) {
      metrics.outcome("dead");
      LOG.warnf(
          "webhook delivery %s (%s of execution %s) is DEAD after %d attempts: %s",
          delivery.id(),
          delivery.eventType(),
          delivery.executionId(),
          delivery.attempts() + 1,
          attempt.error());
    } else {
      metrics.outcome("failed");
    }
  }

  void stop(@Observes ShutdownEvent event) {
    stopping = true;
    senders.shutdownNow();
  }

  /**
   * Skips the notification jobs of a replica with poller.notifications.enabled off (tests drive
   * them).
   */
  @Singleton
  static class NotificationsDisabled implements Scheduled.SkipPredicate {

    private final NotificationsConfig config;

    NotificationsDisabled(NotificationsConfig config) {
      this.config = config;
    }

    @Override
    public boolean test(ScheduledExecution execution) {
      return !config.enabled();
    }
  }
}
