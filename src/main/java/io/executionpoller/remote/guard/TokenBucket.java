package io.executionpoller.remote.guard;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A token bucket that hands out reservations rather than refusals, so a caller can wait its turn
 * instead of failing. It holds up to {@code burst} tokens and refills at {@code ratePerSecond}.
 *
 * <p>A call that finds no token may reserve the next one to come free: the count goes negative, one
 * per reservation outstanding, and each later caller is told to wait correspondingly longer. The
 * waits therefore queue callers one refill interval apart, which keeps the long-run rate at {@code
 * ratePerSecond} however many callers arrive at once. A caller that will not wait that long is
 * refused and takes nothing, so its refusal does not delay anyone else.
 *
 * <p>Time is passed in, never read from a clock, so the bucket can be driven deterministically.
 * Time going backwards adds no tokens. All methods are {@code synchronized}: the state is two
 * fields, and a lock held for a few arithmetic operations is cheaper than anything cleverer.
 */
public final class TokenBucket {

  /**
   * The outcome of {@link #reserve}.
   *
   * @param granted whether the caller holds a token (possibly after waiting)
   * @param delay if granted, how long to wait before using the token; if refused, how long until a
   *     token would be free. (Not named {@code wait}: a record component may not shadow {@link
   *     Object#wait()}.)
   */
  public record Reservation(boolean granted, Duration delay) {

    public Reservation {
      Objects.requireNonNull(delay, "delay");
    }
  }

  private static final double NANOS_PER_SECOND = 1e9;

  /**
   * Below this (in nanoseconds) a fraction is floating-point noise, not time: without it a wait of
   * exactly 0.3 s would round up to 300000001 ns.
   */
  private static final double ROUNDING_SLACK_NANOS = 1e-3;

  /**
   * A token short of 1 by no more than floating-point error counts as whole: a caller that waited
   * out its wait should find its token, not be told to wait another nanosecond.
   */
  private static final double WHOLE_TOKEN = 1 - 1e-9;

  private final double ratePerSecond;
  private final int burst;

  /** Tokens available; negative when reservations are outstanding. */
  private double tokens;

  /** The latest instant the bucket has been refilled to. */
  private Instant refilledTo;

  /**
   * @param ratePerSecond tokens added per second; positive and finite
   * @param burst the most tokens the bucket holds; at least 1
   * @param now the current time; the bucket starts full
   */
  public TokenBucket(double ratePerSecond, int burst, Instant now) {
    if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
      throw new IllegalArgumentException("ratePerSecond must be positive and finite");
    }
    if (burst < 1) {
      throw new IllegalArgumentException("burst must be at least 1: " + burst);
    }
    this.ratePerSecond = ratePerSecond;
    this.burst = burst;
    this.tokens = burst;
    this.refilledTo = Objects.requireNonNull(now, "now");
  }

  /**
   * Takes a token, or reserves the next one if it comes free within {@code maxWait}.
   *
   * @return granted with {@link Duration#ZERO} if a token was free; granted with the wait if one
   *     was reserved; otherwise refused, with the wait until a token would be free (nothing taken)
   */
  public synchronized Reservation reserve(Instant now, Duration maxWait) {
    Objects.requireNonNull(maxWait, "maxWait");
    refill(now);
    if (tokens >= WHOLE_TOKEN) {
      tokens -= 1;
      return new Reservation(true, Duration.ZERO);
    }
    Duration wait = untilNextToken(now);
    if (wait.compareTo(maxWait) <= 0) {
      tokens -= 1;
      return new Reservation(true, wait);
    }
    return new Reservation(false, wait);
  }

  /**
   * The tokens in the bucket at {@code now}: fractional while refilling, negative while
   * reservations are outstanding.
   */
  public synchronized double available(Instant now) {
    refill(now);
    return tokens;
  }

  private void refill(Instant now) {
    Objects.requireNonNull(now, "now");
    if (!now.isAfter(refilledTo)) {
      // Standing still, or a clock that stepped back: no tokens, and refilledTo stays where it is
      // so the same interval is not credited twice once time moves forward again.
      return;
    }
    double elapsed = seconds(Duration.between(refilledTo, now));
    tokens = Math.min(burst, tokens + elapsed * ratePerSecond);
    refilledTo = now;
  }

  /**
   * How long from {@code now} until one whole token is free, counting the reservations already
   * handed out. If the clock went backwards, the interval back to {@code refilledTo} is added: that
   * is when the bucket's own timeline will reach the token.
   */
  private Duration untilNextToken(Instant now) {
    double missing = 1 - tokens;
    Duration refillTime = ofSeconds(missing / ratePerSecond);
    if (now.isBefore(refilledTo)) {
      return refillTime.plus(Duration.between(now, refilledTo));
    }
    return refillTime;
  }

  private static double seconds(Duration duration) {
    return duration.getSeconds() + duration.getNano() / NANOS_PER_SECOND;
  }

  /**
   * Rounds up to whole nanoseconds (floating-point noise aside), so that a caller that waits the
   * full wait finds its token there.
   */
  private static Duration ofSeconds(double seconds) {
    if (seconds <= 0) {
      return Duration.ZERO;
    }
    double nanos = seconds * NANOS_PER_SECOND;
    if (nanos < Long.MAX_VALUE / 2.0) {
      return Duration.ofNanos((long) Math.ceil(nanos - ROUNDING_SLACK_NANOS));
    }
    // Beyond about 146 years: nanoseconds no longer fit; whole seconds (saturating) will do.
    return Duration.ofSeconds((long) Math.ceil(seconds));
  }
}
