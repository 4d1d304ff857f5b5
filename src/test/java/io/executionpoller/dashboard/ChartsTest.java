package io.executionpoller.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.executionpoller.execution.ExecutionStatus;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The charts drawn from known numbers: where each bar stands, what it says, the table's figures.
 */
class ChartsTest {

  private static final Instant NOW = Instant.parse("2026-11-24T10:20:00Z");
  private static final Instant SINCE = Instant.parse("2026-11-23T11:00:00Z");

  @Test
  void shouldShowTheCurrentHourAsTheLastOfTwentyFour() {
    assertThat(Charts.windowStart(NOW)).isEqualTo(SINCE);
    assertThat(Charts.windowEnd(NOW)).isEqualTo(Instant.parse("2026-11-24T11:00:00Z"));
  }

  @Test
  void shouldStackEachHoursStatusesScaledToTheBusiestHour() {
    ChartPage.BarChart chart =
        Charts.completions(
            List.of(
                new ChartQueries.HourCount(SINCE, ExecutionStatus.SUCCESS, 3),
                new ChartQueries.HourCount(SINCE, ExecutionStatus.FAILED, 1),
                new ChartQueries.HourCount(
                    Instant.parse("2026-11-24T10:00:00Z"), ExecutionStatus.SUCCESS, 2),
                // Outside the window: not drawn, not counted.
                new ChartQueries.HourCount(
                    Instant.parse("2026-11-23T10:00:00Z"), ExecutionStatus.SUCCESS, 9)),
            SINCE);

    assertThat(chart.total()).isEqualTo("6");
    assertThat(chart.yMax()).isEqualTo("4");
    assertThat(chart.bars())
        .extracting(ChartPage.Bar::title)
        .containsExactly("11:00 UTC: 3 Success", "11:00 UTC: 1 Failed", "10:00 UTC: 2 Success");
    // The busiest hour fills the plot (170 units from y=8 to 178): success below, failed on top.
    ChartPage.Bar success = chart.bars().get(0);
    ChartPage.Bar failed = chart.bars().get(1);
    assertThat(success.height()).isEqualTo("127.5");
    assertThat(success.y()).isEqualTo("50.5");
    assertThat(failed.height()).isEqualTo("42.5");
    assertThat(failed.y()).isEqualTo("8.0");
    assertThat(failed.key()).isEqualTo("failed");
    // The last hour's bar sits one unit into the last of 24 slots of 668 units from x=44.
    ChartPage.Bar last = chart.bars().get(2);
    assertThat(last.x()).isEqualTo("685.2");
    assertThat(last.height()).isEqualTo("85.0");
    assertThat(chart.ticks()).hasSize(8);
    assertThat(chart.ticks().get(0).label()).isEqualTo("11:00");
  }

  @Test
  void shouldDrawTheBacklogAsALineScaledToItsHighestSample() {
    ChartPage.LineChart chart =
        Charts.backlog(
            List.of(
                new ChartQueries.BacklogSample(SINCE, 0),
                new ChartQueries.BacklogSample(Instant.parse("2026-11-23T23:00:00Z"), 40),
                new ChartQueries.BacklogSample(Instant.parse("2026-11-24T10:00:00Z"), 10)),
            SINCE);

    assertThat(chart.points()).isEqualTo("44.0,178.0 378.0,8.0 684.2,135.5");
    assertThat(chart.lastX() + "," + chart.lastY()).isEqualTo("684.2,135.5");
    assertThat(chart.yMax()).isEqualTo("40");
    assertThat(chart.latest()).isEqualTo("10");
    assertThat(Charts.backlog(List.of(), SINCE).points()).isEmpty();
  }

  @Test
  void shouldPrintFailureRatePercentilesAndCallsPerExecution() {
    List<ChartPage.TableRow> rows =
        Charts.table(
            List.of(
                new ChartQueries.Figures("w1", "Weekly reach", 8, 2, 45.0, 3725.4, 6.25),
                new ChartQueries.Figures("w2", "Idle", 0, 0, null, null, null)),
            figures -> "/charts?workflow=" + figures.key());

    assertThat(rows.get(0))
        .isEqualTo(
            new ChartPage.TableRow(
                "Weekly reach", "/charts?workflow=w1", "8", "25.0%", "45s", "1h 02m", "6.3"));
    assertThat(rows.get(1).failureRate()).isEqualTo("—");
    assertThat(rows.get(1).p95()).isEqualTo("—");
  }
}
