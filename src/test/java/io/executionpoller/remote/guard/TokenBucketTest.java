package io.executionpoller.remote.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import io.executionpoller.remote.guard.TokenBucket.Reservation;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TokenBucketTest {

  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
  private static final Duration FOREVER = Duration.ofDays(1);
  private static final Duration ONE_NANO = Duration.ofNanos(1);

  private static Duration seconds(double seconds) {
    return Duration.ofNanos(Math.round(seconds * 1e9));
  }

  @ParameterizedTest(name = "rate {0}/s, burst {1}")
  @CsvSource({"10, 5", "2, 1", "0.5, 3", "100, 20", "3, 4", "1000, 1"})
  void shouldGrantTheBurstFreeThenMakeEachReservationWaitOneIntervalLonger(double rate, int burst) {
    TokenBucket bucket = new TokenBucket(rate, burst, T0);

    for (int i = 0; i < burst; i++) {
      assertThat(bucket.reserve(T0, FOREVER)).isEqualTo(new Reservation(true, Duration.ZERO));
    }
    for (int k = 1; k <= 50; k++) {
      Reservation reservation = bucket.reserve(T0, FOREVER);
      assertThat(reservation.granted()).isTrue();
      assertThat(reservation.delay()).isCloseTo(seconds(k / rate), ONE_NANO);
    }
    assertThat(bucket.available(T0)).isCloseTo(-50.0, offset(1e-9));
  }

  @Test
  void shouldWaitExactlyWhereTheIntervalIsWholeNanoseconds() {
    TokenBucket bucket = new TokenBucket(10, 5, T0);
    for (int i = 0; i < 5; i++) {
      bucket.reserve(T0, FOREVER);
    }

    assertThat(bucket.reserve(T0, FOREVER).delay()).isEqualTo(Duration.ofMillis(100));
    assertThat(bucket.reserve(T0, FOREVER).delay()).isEqualTo(Duration.ofMillis(200));
    assertThat(bucket.reserve(T0, FOREVER).delay()).isEqualTo(Duration.ofMillis(300));
  }

  /** Drained at T0 (rate 10/s, burst 5), then left idle: tokens come back, up to the burst. */
  @ParameterizedTest(name = "idle {0} ms -> {1} tokens, {2} free calls")
  @CsvSource({
    "0, 0.0, 0",
    "50, 0.5, 0",
    "100, 1.0, 1",
    "250, 2.5, 2",
    "499, 4.99, 4",
    "500, 5.0, 5",
    "501, 5.0, 5",
    "10000, 5.0, 5",
    "3600000, 5.0, 5",
    "31536000000000, 5.0, 5",
  })
  void shouldRefillWhileIdleButNeverAboveTheBurst(long idleMillis, double tokens, int freeCalls) {
    TokenBucket bucket = new TokenBucket(10, 5, T0);
    for (int i = 0; i < 5; i++) {
      bucket.reserve(T0, FOREVER);
    }
    Instant later = T0.plusMillis(idleMillis);

    assertThat(bucket.available(later)).isCloseTo(tokens, offset(1e-6));
    for (int i = 0; i < freeCalls; i++) {
      assertThat(bucket.reserve(later, Duration.ZERO))
          .isEqualTo(new Reservation(true, Duration.ZERO));
    }
    Reservation next = bucket.reserve(later, Duration.ZERO);
    assertThat(next.granted()).isFalse();
    assertThat(next.delay()).isCloseTo(seconds((1 - (tokens - freeCalls)) / 10), ONE_NANO);
  }

  @Test
  void shouldKeepAFullBucketFullWhileIdle() {
    TokenBucket bucket = new TokenBucket(10, 5, T0);

    assertThat(bucket.available(T0.plusSeconds(3600))).isEqualTo(5.0);
    for (int i = 0; i < 5; i++) {
      assertThat(bucket.reserve(T0.plusSeconds(3600), Duration.ZERO).granted()).isTrue();
    }
    assertThat(bucket.reserve(T0.plusSeconds(3600), Duration.ZERO).granted()).isFalse();
  }

  @Test
  void shouldAddNoTokensWhenTimeGoesBackwards() {
    TokenBucket bucket = new TokenBucket(10, 5, T0);
    Instant later = T0.plusSeconds(1);
    for (int i = 0; i < 5; i++) {
      bucket.reserve(later, FOREVER);
    }

    assertThat(bucket.available(T0)).isEqualTo(0.0);
    assertThat(bucket.available(T0.minusSeconds(3600))).isEqualTo(0.0);
    // Back at `later`, the earlier reads must not have credited the interval twice.
    assertThat(bucket.available(later)).isEqualTo(0.0);
    assertThat(bucket.available(later.plusMillis(100))).isCloseTo(1.0, offset(1e-9));
  }

  @Test
  void shouldMakeACallerBehindTheBucketsClockWaitForTheBucketsTimeline() {
    TokenBucket bucket = new TokenBucket(10, 1, T0);
    Instant later = T0.plusSeconds(2);
    bucket.reserve(later, FOREVER);

    // A caller whose clock reads T0 must wait the 2 s to `later` and then 100 ms for the token.
    Reservation reservation = bucket.reserve(T0, FOREVER);

    assertThat(reservation).isEqualTo(new Reservation(true, Duration.ofMillis(2100)));
    assertThat(bucket.available(later)).isCloseTo(-1.0, offset(1e-9));
  }

  /** Drained (rate 10/s, burst 5): the next token is 100 ms away. */
  @ParameterizedTest(name = "maxWait {0} ms -> granted {1}")
  @CsvSource({"-1000, false", "0, false", "50, false", "99, false", "100, true", "5000, true"})
  void shouldReserveOnlyWithinMaxWait(long maxWaitMillis, boolean granted) {
    TokenBucket bucket = new TokenBucket(10, 5, T0);
    for (int i = 0; i < 5; i++) {
      bucket.reserve(T0, FOREVER);
    }

    Reservation reservation = bucket.reserve(T0, Duration.ofMillis(maxWaitMillis));

    assertThat(reservation).isEqualTo(new Reservation(granted, Duration.ofMillis(100)));
    assertThat(bucket.available(T0)).isCloseTo(granted ? -1.0 : 0.0, offset(1e-9));
  }

  @Test
  void shouldTakeNothingForDeniedReservations() {
    TokenBucket bucket = new TokenBucket(10, 5, T0);
    for (int i = 0; i < 5; i++) {
      bucket.reserve(T0, FOREVER);
    }

    for (int i = 0; i < 1000; i++) {
      assertThat(bucket.reserve(T0, Duration.ofMillis(50)))
          .isEqualTo(new Reservation(false, Duration.ofMillis(100)));
    }

    assertThat(bucket.available(T0)).isEqualTo(0.0);
    // The thousand refusals did not push anyone back: the next reservation is still 100 ms out.
    assertThat(bucket.reserve(T0, FOREVER))
        .isEqualTo(new Reservation(true, Duration.ofMillis(100)));
    assertThat(bucket.reserve(T0.plusMillis(100), Duration.ZERO).granted()).isFalse();
    assertThat(bucket.reserve(T0.plusMillis(200), Duration.ZERO))
        .isEqualTo(new Reservation(true, Duration.ZERO));
  }

  /** With maxWait zero the bucket is a plain try-acquire: a token now or a refusal. */
  @Test
  void shouldActAsTryAcquireWhenMaxWaitIsZero() {
    TokenBucket bucket = new TokenBucket(4, 2, T0);
    List<Boolean> outcomes = new ArrayList<>();
    // Every 100 ms for 2 s: two free at the start, then one every 250 ms.
    for (int tick = 0; tick <= 20; tick++) {
      Reservation reservation = bucket.reserve(T0.plusMillis(100L * tick), Duration.ZERO);
      if (reservation.granted()) {
        assertThat(reservation.delay()).isZero();
      } else {
        assertThat(reservation.delay()).isPositive();
      }
      outcomes.add(reservation.granted());
    }

    assertThat(outcomes.stream().filter(Boolean::booleanValue).count()).isEqualTo(2 + 8);
    assertThat(bucket.available(T0.plusMillis(2000))).isBetween(0.0, 1.0);
  }

  /**
   * A greedy caller with its own clock: it calls, and whatever the answer, moves its clock on by
   * the delay it was given and calls again. Over 60 s at 10/s with a burst of 5 it must get 600
   * calls plus the burst, whatever its maxWait.
   */
  @ParameterizedTest(name = "rate 10/s burst 5 maxWait {0} ms")
  @CsvSource({"0", "100", "1000", "86400000"})
  void shouldHoldTheConfiguredRateOverTheLongRun(long maxWaitMillis) {
    TokenBucket bucket = new TokenBucket(10, 5, T0);
    Instant end = T0.plusSeconds(60);
    Instant now = T0;
    int granted = 0;
    int calls = 0;
    while (!now.isAfter(end)) {
      Reservation reservation = bucket.reserve(now, Duration.ofMillis(maxWaitMillis));
      calls++;
      now = now.plus(reservation.delay());
      if (reservation.granted() && !now.isAfter(end)) {
        granted++;
      }
    }

    assertThat(granted).isBetween(600, 605);
    assertThat(calls).isLessThan(2000);
  }

  @ParameterizedTest(name = "rate {0}/s burst {1} over {2} s")
  @CsvSource({"3, 1, 100", "7.5, 10, 40", "0.25, 2, 400"})
  void shouldHoldTheLongRunRateForRatesThatAreNotWholeNanoseconds(
      double rate, int burst, long seconds) {
    TokenBucket bucket = new TokenBucket(rate, burst, T0);
    Instant end = T0.plusSeconds(seconds);
    Instant now = T0;
    long granted = 0;
    while (true) {
      Reservation reservation = bucket.reserve(now, FOREVER);
      now = now.plus(reservation.delay());
      if (now.isAfter(end)) {
        break;
      }
      granted++;
    }

    long expected = Math.round(rate * seconds) + burst;
    assertThat(granted).isBetween(expected - 1, expected);
  }

  @Test
  void shouldGiveEachConcurrentReservationItsOwnSlot() throws Exception {
    int threads = 8;
    int perThread = 1000;
    TokenBucket bucket = new TokenBucket(10, 5, T0);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<List<Reservation>>> futures = new ArrayList<>();
    try {
      for (int t = 0; t < threads; t++) {
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  List<Reservation> mine = new ArrayList<>();
                  for (int i = 0; i < perThread; i++) {
                    mine.add(bucket.reserve(T0, FOREVER));
                  }
                  return mine;
                }));
      }
      start.countDown();
      List<Duration> delays = new ArrayList<>();
      for (Future<List<Reservation>> future : futures) {
        for (Reservation reservation : future.get(60, TimeUnit.SECONDS)) {
          assertThat(reservation.granted()).isTrue();
          delays.add(reservation.delay());
        }
      }
      Collections.sort(delays);

      assertThat(delays).hasSize(threads * perThread);
      assertThat(delays.subList(0, 5)).containsOnly(Duration.ZERO);
      // The rest are 100 ms, 200 ms, ... each exactly once: no slot handed out twice or skipped.
      for (int k = 1; k <= threads * perThread - 5; k++) {
        assertThat(delays.get(4 + k)).isEqualTo(Duration.ofMillis(100L * k));
      }
      assertThat(delays.get(delays.size() - 1)).isEqualTo(Duration.ofMillis(799_500));
      assertThat(bucket.available(T0)).isCloseTo(5.0 - threads * perThread, offset(1e-6));
    } finally {
      pool.shutdownNow();
    }
  }

  @ParameterizedTest(name = "rate {0}, burst {1}")
  @CsvSource({"0, 5", "-1, 5", "NaN, 5", "Infinity, 5", "-Infinity, 5", "10, 0", "10, -3"})
  void shouldRejectBadConstructorArguments(double rate, int burst) {
    assertThatThrownBy(() -> new TokenBucket(rate, burst, T0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldRejectNulls() {
    assertThatThrownBy(() -> new TokenBucket(1, 1, null)).isInstanceOf(NullPointerException.class);
    TokenBucket bucket = new TokenBucket(1, 1, T0);
    assertThatThrownBy(() -> bucket.reserve(null, FOREVER))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> bucket.reserve(T0, null)).isInstanceOf(NullPointerException.class);
    assertThat(bucket.available(T0)).isEqualTo(1.0);
  }
}
