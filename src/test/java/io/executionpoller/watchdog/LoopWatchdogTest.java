package io.executionpoller.watchdog;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LoopWatchdogTest {

  private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");

  @ParameterizedTest(name = "watched {0}, last progress {1} s ago, stall after {2} s -> {3}")
  @CsvSource({
    "true,  0,    300, false",
    "true,  299,  300, false",
    "true,  300,  300, false",
    "true,  301,  300, true",
    "true,  3600, 300, true",
    "false, 3600, 300, false",
    "true,  -5,   300, false",
  })
  void shouldReportStalledOnlyWhenWatchedAndSilentForLongerThanTheLimit(
      boolean watched, long secondsAgo, long stallAfter, boolean stalled) {
    assertThat(
            LoopWatchdog.stalled(
                watched, NOW.minusSeconds(secondsAgo), NOW, Duration.ofSeconds(stallAfter)))
        .isEqualTo(stalled);
  }

  @ParameterizedTest
  @CsvSource({"true", "false"})
  void shouldNeverReportStalledWithoutAnyProgressRecord(boolean watched) {
    assertThat(LoopWatchdog.stalled(watched, null, NOW, Duration.ofSeconds(1))).isFalse();
  }
}
