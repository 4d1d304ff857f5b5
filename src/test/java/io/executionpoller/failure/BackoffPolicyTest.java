package io.executionpoller.failure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class BackoffPolicyTest {

  private static final int DRAWS = 10_000;

  private static final BackoffPolicy ONE_SECOND_BASE =
      new BackoffPolicy(Duration.ofSeconds(1), Duration.ofSeconds(300), Duration.ofMillis(500));

  private static final BackoffPolicy ONE_MINUTE_BASE =
      new BackoffPolicy(Duration.ofSeconds(60), Duration.ofSeconds(300), Duration.ZERO);

  @ParameterizedTest(name = "base 1s cap 300s: attempt {0} -> {1}s")
  @CsvSource({
    "-5, 1",
    "-1, 1",
    "0, 1",
    "1, 2",
    "2, 4",
    "3, 8",
    "4, 16",
    "5, 32",
    "6, 64",
    "7, 128",
    "8, 256",
    "9, 300",
    "10, 300",
    "62, 300",
    "63, 300",
    "64, 300",
    "1000, 300",
    "2147483647, 300",
    "-2147483648, 1",
  })
  void shouldDoubleTheCeilingFromOneSecondUpToTheCap(int attempt, long seconds) {
    assertThat(ONE_SECOND_BASE.ceiling(attempt)).isEqualTo(Duration.ofSeconds(seconds));
  }

  @ParameterizedTest(name = "base 60s cap 300s: attempt {0} -> {1}s")
  @CsvSource({"0, 60", "1, 120", "2, 240", "3, 300", "4, 300", "1000, 300", "2147483647, 300"})
  void shouldDoubleTheCeilingFromOneMinuteUpToTheCap(int attempt, long seconds) {
    assertThat(ONE_MINUTE_BASE.ceiling(attempt)).isEqualTo(Duration.ofSeconds(seconds));
  }

  @Test
  void shouldSaturateTheCeilingAtAHugeCapWithoutOverflow() {
    Duration hugeCap = Duration.ofDays(365L * 1_000_000);
    BackoffPolicy policy = new BackoffPolicy(Duration.ofNanos(1), hugeCap, Duration.ZERO);

    assertThat(policy.ceiling(0)).isEqualTo(Duration.ofNanos(1));
    assertThat(policy.ceiling(62)).isEqualTo(Duration.ofNanos(1L << 62));
    assertThat(policy.ceiling(1000)).isEqualTo(hugeCap);
    assertThat(policy.ceiling(Integer.MAX_VALUE)).isEqualTo(hugeCap);
  }

  @Test
  void shouldUseTheCapAsTheCeilingWhenBaseEqualsCap() {
    BackoffPolicy flat =
        new BackoffPolicy(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5));

    assertThat(flat.ceiling(0)).isEqualTo(Duration.ofSeconds(5));
    assertThat(flat.ceiling(Integer.MAX_VALUE)).isEqualTo(Duration.ofSeconds(5));
    assertThat(flat.fullJitter(3, new SplittableRandom(42))).isEqualTo(Duration.ofSeconds(5));
    assertThat(flat.equalJitter(3, new SplittableRandom(42))).isEqualTo(Duration.ofSeconds(5));
  }

  enum Jitter {
    FULL(BackoffPolicy::fullJitter),
    EQUAL(BackoffPolicy::equalJitter);

    private final JitterFunction function;

    Jitter(JitterFunction function) {
      this.function = function;
    }

    Duration draw(BackoffPolicy policy, int attempt, RandomGenerator random) {
      return function.draw(policy, attempt, random);
    }
  }

  @FunctionalInterface
  interface JitterFunction {
    Duration draw(BackoffPolicy policy, int attempt, RandomGenerator random);
  }

  /** Policy, attempt, the jitter, and the inclusive bounds every draw must fall within. */
  static Stream<Arguments> jitterBounds() {
    BackoffPolicy highFloor =
        new BackoffPolicy(Duration.ofSeconds(1), Duration.ofSeconds(300), Duration.ofSeconds(20));
    BackoffPolicy subMillis =
        new BackoffPolicy(Duration.ofNanos(1_500_000), Duration.ofMillis(7), Duration.ofNanos(1));
    List<Arguments> rows = new ArrayList<>();
    for (int attempt : new int[] {-1, 0, 1, 2, 5, 8, 9, 20, 1000, Integer.MAX_VALUE}) {
      Duration ceiling = ONE_SECOND_BASE.ceiling(attempt);
      rows.add(bounds(ONE_SECOND_BASE, attempt, Jitter.FULL, Duration.ofMillis(500), max(ceiling)));
      rows.add(
          bounds(
              ONE_SECOND_BASE,
              attempt,
              Jitter.EQUAL,
              max(Duration.ofMillis(500), ceiling.dividedBy(2)),
              max(Duration.ofMillis(500), ceiling)));
    }
    for (int attempt : new int[] {0, 1, 2, 3, 4, 5, 6, 1000}) {
      Duration ceiling = highFloor.ceiling(attempt);
      Duration upper = max(Duration.ofSeconds(20), ceiling);
      rows.add(bounds(highFloor, attempt, Jitter.FULL, Duration.ofSeconds(20), upper));
      rows.add(
          bounds(
              highFloor,
              attempt,
              Jitter.EQUAL,
              max(Duration.ofSeconds(20), ceiling.dividedBy(2)),
              upper));
      rows.add(bounds(ONE_MINUTE_BASE, attempt, Jitter.FULL, Duration.ZERO, ceiling(attempt)));
    }
    for (int attempt : new int[] {0, 1, 2, 3}) {
      Duration ceiling = subMillis.ceiling(attempt);
      rows.add(bounds(subMillis, attempt, Jitter.FULL, Duration.ofNanos(1), ceiling));
      rows.add(bounds(subMillis, attempt, Jitter.EQUAL, ceiling.dividedBy(2), ceiling));
    }
    return rows.stream();
  }

  private static Duration ceiling(int attempt) {
    return ONE_MINUTE_BASE.ceiling(attempt);
  }

  private static Duration max(Duration duration) {
    return max(Duration.ofMillis(500), duration);
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  private static Arguments bounds(
      BackoffPolicy policy, int attempt, Jitter jitter, Duration lower, Duration upper) {
    return Arguments.of(policy, attempt, jitter, lower, upper);
  }

  @ParameterizedTest(name = "{0} attempt {1} {2} jitter within [{3}, {4}]")
  @MethodSource("jitterBounds")
  void shouldKeepEveryDrawWithinItsBounds(
      BackoffPolicy policy, int attempt, Jitter jitter, Duration lower, Duration upper) {
    SplittableRandom random = new SplittableRandom(42);
    for (int i = 0; i < DRAWS; i++) {
      Duration draw = jitter.draw(policy, attempt, random);
      assertThat(draw).isBetween(lower, upper);
      assertThat(draw.toNanos() % 1_000_000).as("draws are whole milliseconds").isZero();
      assertThat(draw).isGreaterThanOrEqualTo(policy.floor()).isLessThanOrEqualTo(policy.cap());
    }
  }

  /**
   * Attempt 5 with base 1 s and floor 500 ms draws from [500 ms, 32 s]: the draws must reach both
   * ends of that range and average near its middle.
   */
  @ParameterizedTest(name = "{0} jitter, attempt {1}, covers [{2} ms, {3} ms]")
  @CsvSource({"FULL, 5, 500, 32000", "FULL, 8, 500, 256000", "EQUAL, 5, 16000, 32000"})
  void shouldSpreadDrawsOverTheWholeRange(Jitter jitter, int attempt, long lowerMs, long upperMs) {
    SplittableRandom random = new SplittableRandom(42);
    long[] draws =
        IntStream.range(0, DRAWS)
            .mapToLong(i -> jitter.draw(ONE_SECOND_BASE, attempt, random).toMillis())
            .toArray();
    double range = upperMs - lowerMs;
    double midpoint = (lowerMs + upperMs) / 2.0;

    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    double sum = 0;
    for (long draw : draws) {
      min = Math.min(min, draw);
      max = Math.max(max, draw);
      sum += draw;
    }
    double mean = sum / draws.length;

    assertThat(min).isGreaterThanOrEqualTo(lowerMs).isLessThan(lowerMs + (long) (0.10 * range));
    assertThat(max).isLessThanOrEqualTo(upperMs).isGreaterThan(lowerMs + (long) (0.90 * range));
    assertThat(Math.abs(mean - midpoint)).isLessThan(0.05 * midpoint);
    // Ten equal bins each hold about a tenth of the draws: uniform, not just wide.
    int[] bins = new int[10];
    for (long draw : draws) {
      bins[(int) Math.min(9, (draw - lowerMs) * 10 / (upperMs - lowerMs))]++;
    }
    assertThat(Arrays.stream(bins).boxed().toList())
        .allSatisfy(count -> assertThat(count).isBetween(850, 1150));
  }

  @Test
  void shouldMatchTheSpecWithFullJitterAtAttemptFive() {
    SplittableRandom random = new SplittableRandom(42);
    Duration floor = ONE_SECOND_BASE.floor();
    Duration ceiling = ONE_SECOND_BASE.ceiling(5);
    double range = ceiling.minus(floor).toMillis();
    List<Long> aboveFloor = new ArrayList<>();
    for (int i = 0; i < DRAWS; i++) {
      aboveFloor.add(ONE_SECOND_BASE.fullJitter(5, random).minus(floor).toMillis());
    }

    assertThat(aboveFloor.stream().mapToLong(Long::longValue).min().orElseThrow())
        .isLessThan((long) (0.10 * range));
    assertThat(aboveFloor.stream().mapToLong(Long::longValue).max().orElseThrow())
        .isGreaterThan((long) (0.90 * range));
    double mean = aboveFloor.stream().mapToLong(Long::longValue).average().orElseThrow();
    assertThat(mean).isCloseTo(range / 2, offset(0.05 * range / 2));
  }

  @ParameterizedTest
  @CsvSource({"FULL", "EQUAL"})
  void shouldGiveTheSameSequenceForTheSameSeed(Jitter jitter) {
    List<Duration> first = sequence(jitter, new SplittableRandom(42));
    List<Duration> second = sequence(jitter, new SplittableRandom(42));
    List<Duration> otherSeed = sequence(jitter, new SplittableRandom(43));

    assertThat(first).hasSize(200).isEqualTo(second);
    assertThat(first).isNotEqualTo(otherSeed);
  }

  private static List<Duration> sequence(Jitter jitter, RandomGenerator random) {
    List<Duration> draws = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      draws.add(jitter.draw(ONE_SECOND_BASE, i % 12, random));
    }
    return draws;
  }

  static Stream<Arguments> invalidArguments() {
    Duration s1 = Duration.ofSeconds(1);
    Duration s10 = Duration.ofSeconds(10);
    return Stream.of(
        Arguments.of("zero base", Duration.ZERO, s10, Duration.ZERO, "base must be positive"),
        Arguments.of("negative base", s1.negated(), s10, Duration.ZERO, "base must be positive"),
        Arguments.of("cap below base", s10, s1, Duration.ZERO, "shorter than base"),
        Arguments.of("negative floor", s1, s10, Duration.ofMillis(-1), "must not be negative"),
        Arguments.of("floor above cap", s1, s10, Duration.ofSeconds(11), "longer than cap"),
        Arguments.of(
            "cap beyond millisecond range",
            s1,
            Duration.ofSeconds(Long.MAX_VALUE),
            Duration.ZERO,
            "too large"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidArguments")
  void shouldRejectBadConstructorArguments(
      String description, Duration base, Duration cap, Duration floor, String message) {
    assertThatThrownBy(() -> new BackoffPolicy(base, cap, floor))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  @Test
  void shouldRejectNullArguments() {
    Duration s1 = Duration.ofSeconds(1);
    assertThatThrownBy(() -> new BackoffPolicy(null, s1, Duration.ZERO))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new BackoffPolicy(s1, null, Duration.ZERO))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new BackoffPolicy(s1, s1, null))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> ONE_SECOND_BASE.fullJitter(1, null))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void shouldAcceptAFloorEqualToTheCap() {
    BackoffPolicy policy =
        new BackoffPolicy(Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(10));
    assertThat(policy.fullJitter(0, new SplittableRandom(42))).isEqualTo(Duration.ofSeconds(10));
    assertThat(policy.equalJitter(0, new SplittableRandom(42))).isEqualTo(Duration.ofSeconds(10));
  }
}
