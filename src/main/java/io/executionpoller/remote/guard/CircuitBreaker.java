package io.executionpoller.remote.guard;

import io.executionpoller.failure.BackoffPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A circuit breaker for one remote instance or host: after enough consecutive failures it stops
 * calls for a while, then lets a single probe through to see whether the remote has recovered.
 * While it is open, callers are told when to come back instead of piling more load on a remote that
 * is already failing.
 *
 * <p>Callers report only transient failures: 5xx answers, timeouts and connection errors. A 404 or
 * a 400 is an answer, not an outage; it is reported as a success (the remote is up and talking), or
 * not at all.
 *
 * <ul>
 *   <li>{@link State#CLOSED}: every call is {@link Permit.Kind#ALLOWED}. {@code failureThreshold}
 *       consecutive failures open the breaker for {@code openFor}.
 *   <li>{@link State#OPEN}: calls are {@link Permit.Kind#DENIED} until {@code openUntil}; the first
 *       call at or after it becomes the probe and the breaker is half-open.
 *   <li>{@link State#HALF_OPEN}: one {@link Permit.Kind#PROBE} is outstanding and every other call
 *       is denied. A probe success closes the breaker; a probe failure opens it again for twice as
 *       long as the last time, up to {@code maxOpenFor}. A probe that has not reported within
 *       {@code probeTimeout} is presumed lost (its caller crashed or forgot) and a new one is
 *       handed out, so a lost probe cannot keep the breaker half-open forever.
 * </ul>
 *
 * <p>Outcomes of permits issued before the breaker last opened are stale: they describe the remote
 * as it was, which is already accounted for, so they neither extend an open breaker nor count
 * towards opening it again. Time is passed in, never read from a clock, so the breaker can be
 * driven deterministically. All methods are {@code synchronized}: each does a few comparisons.
 */
public final class CircuitBreaker {

  /**
   * @param failureThreshold consecutive failures that open a closed breaker; at least 1
   * @param openFor how long the breaker first stays open; positive
   * @param maxOpenFor the longest it stays open after repeated probe failures; at least {@code
   *     openFor}
   * @param probeTimeout how long a probe may go unreported before another is handed out; positive
   */
  public record Settings(
      int failureThreshold, Duration openFor, Duration maxOpenFor, Duration probeTimeout) {

    public Settings {
      Objects.requireNonNull(openFor, "openFor");
      Objects.requireNonNull(maxOpenFor, "maxOpenFor");
      Objects.requireNonNull(probeTimeout, "probeTimeout");
      if (failureThreshold < 1) {
        throw new IllegalArgumentException("failureThreshold must be at least 1");
      }
      if (openFor.isNegative() || openFor.isZero()) {
        throw new IllegalArgumentException("openFor must be positive: " + openFor);
      }
      if (maxOpenFor.compareTo(openFor) < 0) {
        throw new IllegalArgumentException("maxOpenFor is shorter than openFor: " + maxOpenFor);
      }
      if (probeTimeout.isNegative() || probeTimeout.isZero()) {
        throw new IllegalArgumentException("probeTimeout must be positive: " + probeTimeout);
      }
    }

    /**
     * Ten failures in a row is an outage rather than bad luck; 30 s is long enough to take the
     * pressure off and short enough not to stall work; five minutes bounds the wait after a remote
     * that keeps failing its probes; a probe call finishes (or times out) well within 60 s.
     */
    public static Settings defaults() {
      return new Settings(
          10, Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofSeconds(60));
    }
  }

  public enum State {
    CLOSED,
    OPEN,
    HALF_OPEN
  }

  /**
   * The answer to {@link #tryAcquire}; hand it back to {@link #onSuccess} or {@link #onFailure}.
   *
   * @param retryAt for {@link Kind#DENIED}, when the caller should come back; for {@link
   *     Kind#ALLOWED} and {@link Kind#PROBE}, the instant the permit was issued (the caller may go
   *     now), which lets the breaker recognise outcomes that predate its last opening
   */
  public record Permit(Kind kind, Instant retryAt) {

    public enum Kind {
      ALLOWED,
      PROBE,
      DENIED
    }

    public Permit {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(retryAt, "retryAt");
    }
  }

  /**
   * @param openUntil when the current or most recent opening ends; null while closed
   * @param timesOpened how often the breaker has opened, reopenings after a failed probe included
   */
  public record Snapshot(
      State state, int consecutiveFailures, Instant openUntil, long timesOpened) {}

  /** Far past the point where the open time reaches its cap; only stops the count wrapping. */
  private static final int MAX_REOPENS = 1_000;

  private final Settings settings;

  /** openFor doubled per failed probe, capped: the same arithmetic as a retry backoff. */
  private final BackoffPolicy openDurations;

  private State state = State.CLOSED;
  private int consecutiveFailures;
  private Instant openUntil;
  private Instant lastOpenedAt;
  private int reopens;
  private long timesOpened;

  /** When the outstanding probe was handed out; null when there is none. */
  private Instant probeStartedAt;

  public CircuitBreaker(Settings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.openDurations =
        new BackoffPolicy(settings.openFor(), settings.maxOpenFor(), Duration.ZERO);
  }

  /** Whether a call may go now, as a probe, or when to come back. */
  public synchronized Permit tryAcquire(Instant now) {
    Objects.requireNonNull(now, "now");
    return switch (state) {
      case CLOSED -> new Permit(Permit.Kind.ALLOWED, now);
      case OPEN -> whileOpen(now);
      case HALF_OPEN -> whileHalfOpen(now);
    };
  }

  private Permit whileOpen(Instant now) {
    if (now.isBefore(openUntil)) {
      return new Permit(Permit.Kind.DENIED, openUntil);
    }
    state = State.HALF_OPEN;
    return startProbe(now);
  }

  private Permit whileHalfOpen(Instant now) {
    if (probeStartedAt != null) {
      Instant probeDeadline = probeStartedAt.plus(settings.probeTimeout());
      if (now.isBefore(probeDeadline)) {
        // The probe's answer, or its timing out, is what changes things: come back then.
        return new Permit(Permit.Kind.DENIED, probeDeadline);
      }
    }
    return startProbe(now);
  }

  /**
   * The call made under {@code permit} was never sent (deferred, or its claim was lost): it says
   * nothing about the remote. A probe handed back frees the way for the next probe at once.
   */
  public synchronized void release(Permit permit) {
    Objects.requireNonNull(permit, "permit");
    if (permit.kind() == Permit.Kind.PROBE
        && state == State.HALF_OPEN
        && permit.retryAt().equals(probeStartedAt)) {
      probeStartedAt = null;
    }
  }

  /** The call made under {@code permit} got an answer from the remote. */
  public synchronized void onSuccess(Instant now, Permit permit) {
    Objects.requireNonNull(now, "now");
    if (!counts(permit)) {
      return;
    }
    switch (state) {
      case CLOSED -> consecutiveFailures = 0;
      case HALF_OPEN -> {
        // An ALLOWED permit was issued while closed, before the opening: nothing new.
        if (permit.kind() == Permit.Kind.PROBE) {
          close();
        }
      }
      case OPEN -> {
        // Only stale outcomes arrive while open, and they do not shorten it.
      }
    }
  }

  /** The call made under {@code permit} failed transiently (5xx, timeout, connection error). */
  public synchronized void onFailure(Instant now, Permit permit) {
    Objects.requireNonNull(now, "now");
    if (!counts(permit)) {
      return;
    }
    switch (state) {
      case CLOSED -> {
        consecutiveFailures++;
        if (consecutiveFailures >= settings.failureThreshold()) {
          reopens = 0;
          open(now);
        }
      }
      case HALF_OPEN -> {
        // An ALLOWED permit was issued while closed, before the opening: nothing new.
        if (permit.kind() == Permit.Kind.PROBE) {
          consecutiveFailures++;
          reopens = Math.min(reopens + 1, MAX_REOPENS);
          open(now);
        }
      }
      case OPEN -> {
        // Issued before the breaker opened: it must not extend the opening.
      }
    }
  }

  /**
   * The breaker as of {@code now}. An open breaker whose {@code openUntil} has passed is reported
   * as half-open: the next call will be the probe. Reading a snapshot changes nothing.
   */
  public synchronized Snapshot snapshot(Instant now) {
    Objects.requireNonNull(now, "now");
    State effective = state;
    if (state == State.OPEN && !now.isBefore(openUntil)) {
      effective = State.HALF_OPEN;
    }
    return new Snapshot(effective, consecutiveFailures, openUntil, timesOpened);
  }

  /** Whether an outcome is news: denied permits made no call, stale ones predate the opening. */
  private boolean counts(Permit permit) {
    Objects.requireNonNull(permit, "permit");
    if (permit.kind() == Permit.Kind.DENIED) {
      return false;
    }
    return lastOpenedAt == null || !permit.retryAt().isBefore(lastOpenedAt);
  }

  private Permit startProbe(Instant now) {
    probeStartedAt = now;
    return new Permit(Permit.Kind.PROBE, now);
  }

  private void open(Instant now) {
    state = State.OPEN;
    lastOpenedAt = now;
    openUntil = plusSaturating(now, openDurations.ceiling(reopens));
    probeStartedAt = null;
    timesOpened++;
  }

  private void close() {
    state = State.CLOSED;
    consecutiveFailures = 0;
    reopens = 0;
    openUntil = null;
    probeStartedAt = null;
  }

  private static Instant plusSaturating(Instant instant, Duration duration) {
    try {
      return instant.plus(duration);
    } catch (RuntimeException e) {
      return Instant.MAX;
    }
  }
}
