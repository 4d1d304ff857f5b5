package io.executionpoller.backfill;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BackfillWindowsTest {

  /**
   * from, to (exclusive), period, then the expected windows as start/end[*] separated by spaces,
   * {@code *} marking a window cut short by the end.
   */
  @ParameterizedTest(name = "{2} {0} .. {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        // Days: the end is exclusive, so two dates a day apart make one window.
        "2024-03-01|2024-03-02|DAILY|2024-03-01/2024-03-02",
        "2024-03-01|2024-03-04|DAILY|2024-03-01/2024-03-02 2024-03-02/2024-03-03 2024-03-03/2024-03-04",
        // Leap day is a day of its own; a year end crosses cleanly.
        "2024-02-28|2024-03-01|DAILY|2024-02-28/2024-02-29 2024-02-29/2024-03-01",
        "2023-12-31|2024-01-02|DAILY|2023-12-31/2024-01-01 2024-01-01/2024-01-02",
        // Nothing to do: an empty range, or one backwards.
        "2024-03-01|2024-03-01|DAILY|",
        "2024-03-02|2024-03-01|MONTHLY|",
        // Weeks run from the first day; a short tail is a partial window.
        "2024-01-01|2024-01-15|WEEKLY|2024-01-01/2024-01-08 2024-01-08/2024-01-15",
        "2024-01-01|2024-01-10|WEEKLY|2024-01-01/2024-01-08 2024-01-08/2024-01-10*",
        "2024-02-26|2024-03-11|WEEKLY|2024-02-26/2024-03-04 2024-03-04/2024-03-11",
        // Calendar months, whatever their length.
        "2024-01-01|2024-04-01|MONTHLY|2024-01-01/2024-02-01 2024-02-01/2024-03-01 2024-03-01/2024-04-01",
        "2023-11-01|2024-02-01|MONTHLY|2023-11-01/2023-12-01 2023-12-01/2024-01-01 2024-01-01/2024-02-01",
        // Month ends: from the 31st, a short month ends on its last day and the next goes back to
        // the 31st (no drift to the 29th); leap and common Februaries differ.
        "2024-01-31|2024-05-31|MONTHLY|2024-01-31/2024-02-29 2024-02-29/2024-03-31 2024-03-31/2024-04-30 2024-04-30/2024-05-31",
        "2023-01-31|2023-03-31|MONTHLY|2023-01-31/2023-02-28 2023-02-28/2023-03-31",
        "2024-02-29|2025-03-29|MONTHLY|2024-02-29/2024-03-29 2024-03-29/2024-04-29 2024-04-29/2024-05-29 2024-05-29/2024-06-29 2024-06-29/2024-07-29 2024-07-29/2024-08-29 2024-08-29/2024-09-29 2024-09-29/2024-10-29 2024-10-29/2024-11-29 2024-11-29/2024-12-29 2024-12-29/2025-01-29 2025-01-29/2025-02-28 2025-02-28/2025-03-29",
        // A partial month at the end.
        "2024-01-01|2024-02-15|MONTHLY|2024-01-01/2024-02-01 2024-02-01/2024-02-15*",
        "2024-01-15|2024-01-20|MONTHLY|2024-01-15/2024-01-20*",
      })
  void shouldCoverTheRangeOncePerPeriod(
      String from, String to, BackfillPeriod period, String want) {
    List<String> windows =
        BackfillWindows.of(LocalDate.parse(from), LocalDate.parse(to), period, 1000).stream()
            .map(w -> w.start() + "/" + w.end() + (w.partial() ? "*" : ""))
            .toList();
    assertThat(windows).isEqualTo(want == null ? List.of() : Arrays.asList(want.split(" ")));
  }

  @ParameterizedTest(name = "{0} {1} .. {2}: {3} windows")
  @CsvSource({
    "DAILY, 2024-01-01, 2025-01-01, 366",
    "DAILY, 2023-01-01, 2024-01-01, 365",
    "WEEKLY, 2024-01-01, 2025-01-01, 53",
    "MONTHLY, 2024-01-01, 2025-01-01, 12",
    "MONTHLY, 1999-12-31, 2100-01-01, 1001",
    "DAILY, 2000-01-01, 3000-01-01, 1001",
  })
  void shouldStopOnePastTheLimit(BackfillPeriod period, String from, String to, int count) {
    assertThat(BackfillWindows.of(LocalDate.parse(from), LocalDate.parse(to), period, 1000))
        .hasSize(count);
  }
}
