package io.executionpoller.remote.guard;

import io.executionpoller.metrics.PollerMetrics;
import io.executionpoller.remote.CallDeferred;
import io.executionpoller.remote.CallerContext;
import io.executionpoller.remote.RemoteCallException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Decides, before anything is sent, whether a call to AMC may go now: the instance's circuit
 * breaker must let it through and the account's token bucket must have a token within the allowed
 * wait. A call that may not go fails fast with {@link CallDeferred}; nothing reaches the network.
 *
 * <p>Breakers live on the application clock (tests move it to half-open a breaker); token buckets
 * live on the monotonic clock, because a rate limit is about real time whatever the clock says.
 */
@ApplicationScoped
public class RemoteGate {

  /** One AMC instance as reached through one API host: what a breaker guards. */
  public record InstanceKey(String apiHost, String instance) {}

  /** What the breaker granted one logical call; reported back when the call ends. */
  public record Admission(InstanceKey breakerKey, CircuitBreaker.Permit permit) {}

  private final GuardConfig config;
  private final Clock clock;
  private final MeterRegistry registry;
  private final PollerMetrics metrics;
  private final Map<InstanceKey, CircuitBreaker> breakers = new ConcurrentHashMap<>();
  private final Map<String, TokenBucket> buckets = new ConcurrentHashMap<>();
  private final Queue<Gauge> breakerGauges = new ConcurrentLinkedQueue<>();
  private final Map<CallDeferred.Reason, Counter> deferrals =
      new EnumMap<>(CallDeferred.Reason.class);

  RemoteGate(GuardConfig config, Clock clock, MeterRegistry registry, PollerMetrics metrics) {
    this.config = config;
    this.clock = clock;
    this.registry = registry;
    this.metrics = metrics;
    for (CallDeferred.Reason reason : CallDeferred.Reason.values()) {
      deferrals.put(
          reason,
          Counter.builder("poller.remote.deferred")
              .description("Remote calls held back before sending, by reason")
              .tag("reason", reason.name())
              .register(registry));
    }
  }

  /** Asks the breaker of {@code instance} at {@code apiHost}; fails with CallDeferred if open. */
  public Uni<Admission> admit(String apiHost, String instance) {
    InstanceKey key = new InstanceKey(apiHost, instance);
    CircuitBreaker breaker = breakers.computeIfAbsent(key, this::newBreaker);
    Instant now = clock.instant();
    CircuitBreaker.Permit permit = breaker.tryAcquire(now);
    if (permit.kind() == CircuitBreaker.Permit.Kind.DENIED) {
      return Uni.createFrom()
          .failure(
              deferred(
                  CallDeferred.Reason.BREAKER_OPEN,
                  permit.retryAt(),
                  "AMC instance " + instance + " is failing; calls are paused"));
    }
    return Uni.createFrom().item(new Admission(key, permit));
  }

  /**
   * Takes a token from {@code account}'s bucket for a call to {@code instance}: at once, after a
   * short wait (counted for the instance), or not at all (then the call fails with CallDeferred and
   * the check comes back when a token would be free).
   */
  public Uni<Void> pace(String account, String instance) {
    GuardConfig.RateLimit limit = config.rateLimit();
    if (!limit.enabled()) {
      return Uni.createFrom().voidItem();
    }
    Instant monotonic = monotonicNow();
    TokenBucket bucket =
        buckets.computeIfAbsent(
            account, a -> new TokenBucket(limit.requestsPerSecond(), limit.burst(), monotonic));
    TokenBucket.Reservation reservation = bucket.reserve(monotonic, limit.maxWait());
    if (!reservation.granted()) {
      return Uni.createFrom()
          .failure(
              deferred(
                  CallDeferred.Reason.RATE_LIMITED,
                  clock.instant().plus(reservation.delay()),
                  "account over its rate limit"));
    }
    if (reservation.delay().isZero()) {
      return Uni.createFrom().voidItem();
    }
    metrics.rateLimitWaited(instance, reservation.delay());
    // The pause resumes on a timer's worker thread; the call goes on from the caller's context.
    return CallerContext.answeredHere(
        Uni.createFrom().voidItem().onItem().delayIt().by(reservation.delay()));
  }

  /** The call answered (any answer but an outage): the instance is up. */
  public void succeeded(Admission admission) {
    CircuitBreaker breaker = breakers.get(admission.breakerKey());
    if (breaker != null) {
      breaker.onSuccess(clock.instant(), admission.permit());
    }
  }

  /** The call was never sent: the permit is handed back, nothing is learnt. */
  public void release(Admission admission) {
    CircuitBreaker breaker = breakers.get(admission.breakerKey());
    if (breaker != null) {
      breaker.release(admission.permit());
    }
  }

  /** The call failed; only outages (5xx, timeouts, connection errors) count for the breaker. */
  public void failed(Admission admission, Throwable failure) {
    CircuitBreaker breaker = breakers.get(admission.breakerKey());
    if (breaker == null) {
      return;
    }
    if (failure instanceof CallDeferred) {
      breaker.release(admission.permit());
      return;
    }
    if (failure instanceof RemoteCallException remote && remote.isOutage()) {
      breaker.onFailure(clock.instant(), admission.permit());
    } else {
      // A 404, a 400 or a 429 is an answer: the instance is up, whatever it said.
      breaker.onSuccess(clock.instant(), admission.permit());
    }
  }

  /** Counts a deferral decided elsewhere (the token provider) under the same metric. */
  public CallDeferred deferred(CallDeferred.Reason reason, Instant retryAt, String detail) {
    deferrals.get(reason).increment();
    return new CallDeferred(reason, retryAt, detail);
  }

  /** Breaker states by instance, for health details and the admin API. */
  public Map<InstanceKey, CircuitBreaker.Snapshot> breakerSnapshots() {
    Instant now = clock.instant();
    Map<InstanceKey, CircuitBreaker.Snapshot> snapshots =
        new TreeMap<>(
            Comparator.comparing(InstanceKey::instance).thenComparing(InstanceKey::apiHost));
    breakers.forEach((key, breaker) -> snapshots.put(key, breaker.snapshot(now)));
    return snapshots;
  }

  /**
   * The breaker gauges read this instance: they go with it, so that a gate built afresh (the
   * container may destroy an application-scoped bean) registers gauges that read the new breakers.
   */
  @PreDestroy
  void unregisterGauges() {
    breakerGauges.forEach(registry::remove);
  }

  private CircuitBreaker newBreaker(InstanceKey key) {
    CircuitBreaker breaker =
        new CircuitBreaker(
            new CircuitBreaker.Settings(
                config.breaker().failureThreshold(),
                config.breaker().openFor(),
                config.breaker().maxOpenFor(),
                config.breaker().probeTimeout()));
    breakerGauges.add(
        Gauge.builder("poller.remote.breaker.state", this, gate -> gate.stateValue(key))
            .description("The instance's circuit breaker: 0 closed, 1 half-open, 2 open")
            .tag("instance", key.instance())
            .tag("host", key.apiHost())
            .register(registry));
    return breaker;
  }

  /** 0 closed, 1 half-open, 2 open: the higher, the less gets through. */
  private double stateValue(InstanceKey key) {
    CircuitBreaker breaker = breakers.get(key);
    if (breaker == null) {
      return 0;
    }
    switch (breaker.snapshot(clock.instant()).state()) {
      case OPEN:
        return 2;
      case HALF_OPEN:
        return 1;
      default:
        return 0;
    }
  }

  private static Instant monotonicNow() {
    return Instant.EPOCH.plus(Duration.ofNanos(System.nanoTime()));
  }
}
