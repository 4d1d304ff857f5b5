package io.executionpoller.notify;

import io.executionpoller.config.SwitchedOff;
import io.executionpoller.crashpoint.CrashPoint;
import io.executionpoller.crashpoint.CrashPoints;
import io.executionpoller.db.FromBlockingThread;
import io.executionpoller.logging.OutageLog;
import io.executionpoller.replica.ReplicaIdentity;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import org.jboss.logging.Logger;

/**
 * Sends due deliveries from every replica, a batch at a time. A batch is leased in one statement
 * ({@code FOR UPDATE SKIP LOCKED} and a lease on the database's clock, like the poll loop), the
 * bodies of its first attempts are built concurrently and fixed in one statement, its posts go out
 * concurrently (at most max-concurrent-sends at once), and their answers are recorded under the
 * lease in one statement: a 2xx delivers, anything else schedules the next attempt or, past
 * max-age, marks it dead. A full batch is followed at once by the next, so a backlog drains without
 * waiting for the tick. A replica that dies between a post and the batch's record leaves the lease
 * to expire, and the delivery is sent again with the same id: at least once.
 */
// Created at boot so settings under which a lease could end mid-batch stop the start.
@Startup
@Singleton
public class DeliveryDispatcher {

  private static final Logger LOG = Logger.getLogger(DeliveryDispatcher.class);

  /**
   * Full batches one tick sends back to back before it yields to the next tick: bounds the loop
   * while a backlog lasts (the next tick goes on at once).
   */
  static final int MAX_BATCHES_PER_TICK = 50;

  private final DeliveryStore store;
  private final WebhookPayload payloads;
  private final WebhookSender sender;
  private final NotificationsConfig config;
  private final DeliveryRetry retry;
  private final NotificationMetrics metrics;
  private final CrashPoints crashPoints;
  private final DeliverySpans spans;
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
      DeliverySpans spans,
      Clock clock,
      ReplicaIdentity replica) {
    this.store = store;
    this.payloads = payloads;
    this.sender = sender;
    DeliveryTiming.check(config);
    this.config = config;
    this.retry = DeliveryRetry.of(config);
    this.metrics = metrics;
    this.crashPoints = crashPoints;
    this.spans = spans;
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
      drain();
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
   * Sends batch after batch as this replica while each comes back full (at most {@link
   * #MAX_BATCHES_PER_TICK}); the number of deliveries claimed. What a tick does.
   */
  public int drain() {
    int sent = 0;
    for (int round = 0; round < MAX_BATCHES_PER_TICK && !stopping; round++) {
      Batch batch = dispatch(owner);
      batch.done().join();
      sent += batch.claimed();
      if (!batch.full()) {
        break;
      }
    }
    return sent;
  }

  /** One leased batch: how many were claimed out of how many asked, and when all are recorded. */
  public record Batch(int claimed, int asked, CompletableFuture<Void> done) {
    static final Batch NONE = new Batch(0, 0, CompletableFuture.completedFuture(null));

    /** A full batch suggests more are due: the next is claimed without waiting for the tick. */
    boolean full() {
      return asked > 0 && claimed == asked;
    }
  }

  /**
   * Leases up to batch-size due deliveries to {@code leaseOwner} and starts them; the batch's
   * future ends when every attempt's answer is recorded. Tests pass their own owner to act as a
   * replica.
   */
  public Batch dispatch(String leaseOwner) {
    int free = config.batchSize() - inFlight.get();
    if (stopping || free <= 0) {
      return Batch.NONE;
    }
    Instant now = clock.instant();
    List<ClaimedDelivery> claimed =
        FromBlockingThread.inTransaction(
            () -> store.claim(leaseOwner, now, config.leaseDuration(), free));
    if (claimed.isEmpty()) {
      return new Batch(0, free, CompletableFuture.completedFuture(null));
    }
    inFlight.addAndGet(claimed.size());
    CompletableFuture<Void> done =
        withPayloads(claimed, leaseOwner)
            .thenCompose(ready -> sendAll(ready))
            .thenAcceptAsync(attempts -> record(attempts, leaseOwner), senders)
            .exceptionally(
                failure -> {
                  // The leases run out and other attempts follow; say why these ended unrecorded.
                  LOG.warnf(
                      "webhook deliveries: a batch of %d not recorded: %s",
                      claimed.size(), failure.toString());
                  return null;
                })
            .whenComplete((ignored, failure) -> inFlight.addAndGet(-claimed.size()));
    return new Batch(claimed.size(), free, done);
  }

  /** Dispatches once as this replica and waits for every attempt: how tests drive deliveries. */
  public int runOnce() {
    Batch batch = dispatch(owner);
    batch.done().join();
    return batch.claimed();
  }

  /**
   * The batch with fixed bodies: those of first attempts are built concurrently and fixed in one
   * statement (an earlier fixing wins, so every attempt sends the same bytes). A delivery whose
   * lease was lost meanwhile drops out.
   */
  private CompletableFuture<List<ClaimedDelivery>> withPayloads(
      List<ClaimedDelivery> claimed, String leaseOwner) {
    List<ClaimedDelivery> unbuilt = claimed.stream().filter(d -> d.payload() == null).toList();
    if (unbuilt.isEmpty()) {
      return CompletableFuture.completedFuture(claimed);
    }
    List<CompletableFuture<Map.Entry<UUID, String>>> building =
        unbuilt.stream()
            .map(
                delivery ->
                    CompletableFuture.supplyAsync(
                        () ->
                            Map.entry(
                                delivery.id(),
                                FromBlockingThread.inSession(() -> payloads.of(delivery))),
                        senders))
            .toList();
    return CompletableFuture.allOf(building.toArray(CompletableFuture[]::new))
        .thenApplyAsync(
            ignored -> {
              Map<UUID, String> built = new LinkedHashMap<>();
              building.forEach(b -> built.put(b.join().getKey(), b.join().getValue()));
              Map<UUID, String> fixed =
                  FromBlockingThread.inTransaction(() -> store.fixPayloads(built, leaseOwner));
              List<ClaimedDelivery> ready = new ArrayList<>();
              for (ClaimedDelivery delivery : claimed) {
                if (delivery.payload() != null) {
                  ready.add(delivery);
                } else if (fixed.containsKey(delivery.id())) {
                  ready.add(delivery.withPayload(fixed.get(delivery.id())));
                } else {
                  metrics.outcome("lease_lost");
                }
              }
              return ready;
            },
            senders);
  }

  /** Posts every delivery of the batch, at most max-concurrent-sends at once. */
  private CompletableFuture<List<Sent>> sendAll(List<ClaimedDelivery> ready) {
    List<CompletableFuture<Sent>> posts =
        ready.stream()
            .map(
                delivery ->
                    CompletableFuture.supplyAsync(
                        () -> {
                          WebhookSender.Attempt attempt =
                              spans.around(delivery, () -> sender.send(delivery));
                          crashPoints.reached(
                              CrashPoint.AFTER_WEBHOOK_SENT, delivery.executionId());
                          return new Sent(delivery, attempt);
                        },
                        senders))
            .toList();
    return CompletableFuture.allOf(posts.toArray(CompletableFuture[]::new))
        .thenApply(ignored -> posts.stream().map(CompletableFuture::join).toList());
  }

  /** One post and its answer. */
  private record Sent(ClaimedDelivery delivery, WebhookSender.Attempt attempt) {}

  /** Records every answer of the batch in one statement, under the leases. */
  private void record(List<Sent> sent, String leaseOwner) {
    if (sent.isEmpty()) {
      return;
    }
    Instant now = clock.instant();
    List<DeliveryStore.Answer> answers = new ArrayList<>();
    for (Sent one : sent) {
      ClaimedDelivery delivery = one.delivery();
      WebhookSender.Attempt attempt = one.attempt();
      if (attempt.delivered()) {
        answers.add(DeliveryStore.Answer.delivered(delivery.id(), attempt.statusCode()));
      } else {
        Optional<Instant> next =
            retry.next(delivery.attempts() + 1, delivery.dueSince(), now, random);
        answers.add(
            DeliveryStore.Answer.failed(
                delivery.id(), attempt.statusCode(), attempt.error(), next.orElse(null)));
      }
    }
    Map<UUID, Double> recorded =
        FromBlockingThread.inTransaction(() -> store.record(answers, leaseOwner, now));
    for (int i = 0; i < sent.size(); i++) {
      Sent one = sent.get(i);
      ClaimedDelivery delivery = one.delivery();
      Double latency = recorded.get(delivery.id());
      if (latency == null) {
        metrics.outcome("lease_lost");
      } else if (one.attempt().delivered()) {
        metrics.delivered(latency);
      } else if (answers.get(i).dead()) {
        metrics.outcome("dead");
        LOG.warnf(
            "webhook delivery %s (%s of execution %s) is DEAD after %d attempts: %s",
            delivery.id(),
            delivery.eventType(),
            delivery.executionId(),
            delivery.attempts() + 1,
            one.attempt().error());
      } else {
        metrics.outcome("failed");
      }
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
  static class NotificationsDisabled extends SwitchedOff {

    NotificationsDisabled(NotificationsConfig config) {
      super(config::enabled);
    }
  }
}
