package io.executionpoller.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.executionpoller.failure.BackoffPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** When a failed delivery is tried again, and when it is dead. */
class DeliveryRetryTest {

  private static final Instant DUE = Instant.parse("2026-11-23T10:00:00Z");
  private static final DeliveryRetry RETRY =
      new DeliveryRetry(
          new BackoffPolicy(Duration.ofSeconds(30), Duration.ofHours(6), Duration.ofSeconds(1)),
          Duration.ofDays(3));

  /** Always draws the top of the range: the ceiling itself. */
  private static final RandomGenerator HIGHEST =
      new RandomGenerator() {
        @Override
        public long nextLong() {
          return Long.MAX_VALUE;
        }

        @Override
        public long nextLong(long origin, long bound) {
          return bound - 1;
        }
      };

  @ParameterizedTest(name = "failure {0} at +{1}s: next at most +{2}s")
  @CsvSource({
    "1, 0, 30",
    "2, 30, 90",
    "3, 90, 210",
    "10, 10000, 25360",
    "20, 100000, 121600",
  })
  void shouldWaitBelowACeilingThatDoublesFromThirtySecondsToSixHours(
      int failures, long nowSeconds, long latestSeconds) {
    Instant now = DUE.plusSeconds(nowSeconds);
    Optional<Instant> next = RETRY.next(failures, DUE, now, HIGHEST);
    assertThat(next).isPresent();
    assertThat(next.get()).isAfterOrEqualTo(now.plusSeconds(1));
    assertThat(next.get()).isBeforeOrEqualTo(DUE.plusSeconds(latestSeconds));
  }

  @ParameterizedTest(name = "{0} s after the event")
  @CsvSource({"259200", "259199", "250000"})
  void shouldBeDeadWhenTheNextAttemptWouldFallPastMaxAge(long nowSeconds) {
    assertThat(RETRY.next(12, DUE, DUE.plusSeconds(nowSeconds), HIGHEST)).isEmpty();
  }
}
