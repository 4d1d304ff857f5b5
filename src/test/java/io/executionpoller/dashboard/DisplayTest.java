package io.executionpoller.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.executionpoller.execution.ExecutionStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** What the dashboard prints, decided without a server or a browser. */
class DisplayTest {

  private static final Instant START = Instant.parse("2026-11-23T10:00:00Z");

  @ParameterizedTest
  @CsvSource({
    "0, 0s",
    "59, 59s",
    "60, 1m 00s",
    "3599, 59m 59s",
    "3600, 1h 00m",
    "86399, 23h 59m",
    "90061, 1d 01h",
    "-5, 0s"
  })
  void shouldPrintDurationsInTheirTwoLargestUnits(long seconds, String shown) {
    assertThat(Display.duration(Duration.ofSeconds(seconds))).isEqualTo(shown);
  }

  @Test
  void shouldCountARunningExecutionUntilNowAndAFinishedOneUntilItEnded() {
    Instant now = START.plusSeconds(600);
    assertThat(Display.runningTime(ExecutionStatus.RUNNING, START, null, now)).isEqualTo("10m 00s");
    assertThat(Display.runningTime(ExecutionStatus.SUCCESS, START, START.plusSeconds(125), now))
        .isEqualTo("2m 05s");
  }

  @ParameterizedTest
  @EnumSource(ExecutionStatus.class)
  void shouldShowADashForAnExecutionThatNeverStarted(ExecutionStatus status) {
    assertThat(Display.runningTime(status, null, START, START.plusSeconds(60))).isEqualTo("—");
  }

  @Test
  void shouldShowADashForPendingEvenAfterAnEarlierAttemptStarted() {
    // A resubmitted execution is PENDING again; its old start says nothing about the new attempt.
    assertThat(Display.runningTime(ExecutionStatus.PENDING, START, null, START.plusSeconds(60)))
        .isEqualTo("—");
  }

  @Test
  void shouldCutLongRemoteTextOnOneLineWithoutSplittingACharacter() {
    assertThat(Display.shortened("line one\n\tline two", 100)).isEqualTo("line one line two");
    assertThat(Display.shortened("abcdefghij", 5)).isEqualTo("abcd…");
    assertThat(Display.shortened("abc\uD83D\uDE00xyz", 5)).isEqualTo("abc…");
    assertThat(Display.shortened(null, 5)).isEmpty();
  }

  @Test
  void shouldPrintSizesInBinaryUnits() {
    assertThat(Display.bytes(854L)).isEqualTo("854 B");
    assertThat(Display.bytes(2_411L)).isEqualTo("2.4 KiB");
    assertThat(Display.bytes(5L * 1024 * 1024 * 1024)).isEqualTo("5.0 GiB");
    assertThat(Display.bytes(null)).isEqualTo("—");
  }

  @ParameterizedTest
  @EnumSource(ExecutionStatus.class)
  void shouldGiveEveryStatusItsOwnClassIconAndLabel(ExecutionStatus status) {
    StatusLook look = StatusLook.of(status);
    assertThat(look.key()).isEqualTo(status.name().toLowerCase(Locale.ROOT));
    assertThat(look.label()).isNotBlank();
    assertThat(look.description()).isNotBlank();
  }
}
