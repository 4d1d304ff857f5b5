package io.executionpoller.failure;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with jitter. The ceiling doubles with each attempt up to {@code cap}; the
 * jittered delays are drawn below it so that many clients failing at the same moment do not all
 * come back at the same moment. {@code floor} keeps a draw from being so short that the retry is
 * effectively immediate (full jitter alone can return zero).
 *
 * <p>Draws are taken at millisecond resolution: nobody schedules a retry more precisely than that,
 * and whole milliseconds keep logs and stored due-times readable.
 *
 * @param base the ceiling for attempt 0; positive
 * @param cap the largest ceiling; at least {@code base}
 * @param floor the shortest delay ever returned; between zero and {@code cap}
 */
public record BackoffPolicy(Duration base, Duration cap, Duration floor) {

  /**
   * The largest cap accepted: the draws work in whole milliseconds held in a {@code long}, with one
   * to spare for an inclusive upper bound. (About 292 million years; no real cap comes near.)
   */
  private static final Duration LARGEST_CAP = Duration.ofMillis(Long.MAX_VALUE - 1);

  public BackoffPolicy {
    Objects.requireNonNull(base, "base");
    Objects.requireNonNull(cap, "cap");
    Objects.requireNonNull(floor, "floor");
    if (base.isNegative() || base.isZero()) {
      throw new IllegalArgumentException("base must be positive: " + base);
    }
    if (cap.compareTo(base) < 0) {
      throw new IllegalArgumentException("cap " + cap + " is shorter than base " + base);
    }
    if (cap.compareTo(LARGEST_CAP) > 0) {
      throw new IllegalArgumentException("cap is too large to draw in milliseconds: " + cap);
    }
    if (floor.isNegative()) {
      throw new IllegalArgumentException("floor must not be negative: " + floor);
    }
    if (floor.compareTo(cap) > 0) {
      throw new IllegalArgumentException("floor " + floor + " is longer than cap " + cap);
    }
  }

  /**
   * The un-jittered delay for an attempt: {@code min(cap, base * 2^attempt)}. A negative attempt
   * counts as attempt 0. Doubling stops as soon as the cap is reached, so attempt counts that would
   * overflow any arithmetic (1000, {@code Integer.MAX_VALUE}) simply give the cap.
   */
  public Duration ceiling(int attempt) {
    Duration current = base;
    for (int i = 0; i < attempt; i++) {
      // current * 2 >= cap, tested without computing current * 2 (which could overflow).
      if (current.compareTo(cap.minus(current)) >= 0) {
        return cap;
      }
      current = current.multipliedBy(2);
    }
    return current;
  }

  /**
   * "Full jitter": uniform over {@code [floor, max(floor, ceiling(attempt))]}. Spreads retries the
   * most, which is what a herd of clients recovering from the same outage needs.
   */
  public Duration fullJitter(int attempt, RandomGenerator random) {
    Objects.requireNonNull(random, "random");
    Duration upper = max(floor, ceiling(attempt));
    return uniform(floor, upper, random);
  }

  /**
   * "Equal jitter": uniform over {@code [ceiling/2, ceiling]}, raised to {@code floor} where the
   * floor is higher. Keeps at least half the backoff, for callers that must not come back early.
   * The lower bound is raised (rather than clamping each draw) so the draws stay uniform instead of
   * piling up on the floor.
   */
  public Duration equalJitter(int attempt, RandomGenerator random) {
    Objects.requireNonNull(random, "random");
    Duration ceiling = ceiling(attempt);
    Duration lower = max(floor, ceiling.dividedBy(2));
    Duration upper = max(floor, ceiling);
    return uniform(lower, upper, random);
  }

  /**
   * A whole number of milliseconds, uniform over {@code [lower, upper]}. Bounds that are not whole
   * milliseconds are rounded inwards, so the draw never leaves the interval; an interval too narrow
   * to hold a whole millisecond returns {@code upper}.
   */
  private static Duration uniform(Duration lower, Duration upper, RandomGenerator random) {
    long lowMillis = ceilMillis(lower);
    long highMillis = upper.toMillis();
    if (lowMillis > highMillis) {
      return upper;
    }
    return Duration.ofMillis(random.nextLong(lowMillis, highMillis + 1));
  }

  private static long ceilMillis(Duration duration) {
    long millis = duration.toMillis();
    return duration.equals(Duration.ofMillis(millis)) ? millis : millis + 1;
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
