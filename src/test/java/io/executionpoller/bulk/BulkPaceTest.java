package io.executionpoller.bulk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.executionpoller.api.ApiProblem;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The rate bound and the reason rule, as pure rules. */
class BulkPaceTest {

  private static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");

  @ParameterizedTest(
      name = "rate {0}/s, window {1} ms, {2} ms since the pace: {3} items, pace +{4} ms")
  @CsvSource({
    // rate, window ms, elapsed ms, items, pace moves (ms from the pace, or from now - window)
    "2, 1000, 0, 0, 0",
    "2, 1000, 499, 0, 0",
    "2, 1000, 500, 1, 500",
    "2, 1000, 1000, 2, 1000",
    "3, 1000, 1000, 3, 1000",
    "3, 1000, 400, 1, 334",
    "5, 1000, 600000, 5, 1000",
    "1, 500, 2000, 1, 1000",
    "10, 2000, 2500, 20, 2000"
  })
  void shouldOweItemsAtTheRateAndCatchUpAtMostOneWindow(
      int rate, long windowMillis, long elapsed, int items, long paceMoves) {
    BulkPace pace = new BulkPace(rate, Duration.ofMillis(windowMillis));
    Instant now = T0.plusMillis(elapsed);
    BulkPace.Batch batch = pace.batch(T0, now);
    assertThat(batch.items()).isEqualTo(items);
    Instant from = now.minus(pace.window()).isAfter(T0) ? now.minus(pace.window()) : T0;
    assertThat(batch.pacedUntil()).isEqualTo(from.plusMillis(paceMoves));
  }

  @Test
  void shouldNeverGoFasterThanTheRateOverManySmallBatches() {
    BulkPace pace = new BulkPace(3, Duration.ofSeconds(1));
    Instant paced = T0;
    int items = 0;
    for (int millis = 100; millis <= 60_000; millis += 100) {
      BulkPace.Batch batch = pace.batch(paced, T0.plusMillis(millis));
      items += batch.items();
      paced = batch.pacedUntil();
    }
    assertThat(items).isBetween(179, 180);
  }

  @Test
  void shouldRefuseARateBelowOne() {
    assertThatThrownBy(() -> new BulkPace(0, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldKeepAReasonOnOneLineAndRefuseAMissingOrLongOne() {
    assertThat(BulkReason.of("  AMC outage\r\nINFO forged line\u0000 ", 500))
        .isEqualTo("AMC outage INFO forged line");
    assertThat(BulkReason.of("re-run\u2028later", 500)).isEqualTo("re-run later");
    for (String refused : new String[] {null, "", "   ", "\n\t", "x".repeat(501)}) {
      assertThatThrownBy(() -> BulkReason.of(refused, 500))
          .isInstanceOf(ApiProblem.class)
          .extracting(problem -> ((ApiProblem) problem).status())
          .isEqualTo(422);
    }
  }
}
