package io.executionpoller.logging;

import static org.assertj.core.api.Assertions.assertThat;

import io.executionpoller.logging.OutageLog.Line;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OutageLogTest {

  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

  /**
   * Each script is a sequence of events, "F<seconds>" a failure at T0 + seconds and "S" a success;
   * the expected lines are the ones that would be logged, in order.
   */
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "S S S | ",
        "F0 | FIRST_FAILURE",
        "F0 S | FIRST_FAILURE RECOVERED",
        "F0 F1 F2 F59 | FIRST_FAILURE",
        "F0 F1 F60 | FIRST_FAILURE STILL_FAILING",
        "F0 F1 F60 F61 F120 S | FIRST_FAILURE STILL_FAILING STILL_FAILING RECOVERED",
        "F0 S F1 S | FIRST_FAILURE RECOVERED FIRST_FAILURE RECOVERED",
        "S F0 F30 S S | FIRST_FAILURE RECOVERED",
      })
  void shouldLogTheFirstFailureASummaryPerMinuteAndTheRecovery(String script, String expected) {
    OutageLog log = new OutageLog(Duration.ofMinutes(1));
    List<String> lines = new ArrayList<>();
    for (String event : script.trim().split("\\s+")) {
      Line line =
          event.equals("S")
              ? log.succeeded()
              : log.failed(T0.plusSeconds(Long.parseLong(event.substring(1))));
      if (line != Line.NOTHING) {
        lines.add(line.name());
      }
    }
    assertThat(String.join(" ", lines)).isEqualTo(expected == null ? "" : expected.trim());
  }

  @ParameterizedTest
  @CsvSource({"1, 0", "5, 4", "60, 59", "61, 59"})
  void shouldCountTheFailuresThatWereNotLogged(int failures, long unloggedAtTheEnd) {
    OutageLog log = new OutageLog(Duration.ofMinutes(1));
    for (int i = 0; i < failures; i++) {
      log.failed(T0.plusSeconds(i));
    }
    assertThat(log.failures()).isEqualTo(failures);
    // The summary at 60 s is logged, not counted as unlogged.
    assertThat(log.takeUnlogged()).isEqualTo(unloggedAtTheEnd);
    assertThat(log.takeUnlogged()).isZero();
  }
}
