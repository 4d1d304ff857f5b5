package io.executionpoller.dashboard;

import io.executionpoller.execution.ExecutionStatus;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Turns the charts' numbers into drawing coordinates and printed figures: pure, so what a chart
 * shows for known data is tested without a browser.
 */
final class Charts {

  static final int WIDTH = 720;
  static final int HEIGHT = 200;
  static final int HOURS = 24;

  /** Room for the value labels on the left and the time labels below. */
  private static final int LEFT = 44;

  private static final int RIGHT = 8;
  private static final int TOP = 8;
  private static final int BOTTOM = 22;
  private static final double PLOT_WIDTH = WIDTH - LEFT - RIGHT;
  private static final double PLOT_HEIGHT = HEIGHT - TOP - BOTTOM;

  /** Stacked bottom to top: the common case first, failures on top where they catch the eye. */
  static final List<ExecutionStatus> STACK =
      List.of(
          ExecutionStatus.SUCCESS,
          ExecutionStatus.CANCELLED,
          ExecutionStatus.TIMEOUT,
          ExecutionStatus.FAILED);

  private static final DateTimeFormatter HOUR =
      DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT).withZone(ZoneOffset.UTC);

  private Charts() {}

  /** The first hour of the day shown: the current UTC hour is the last bar. */
  static Instant windowStart(Instant now) {
    return now.truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(HOURS - 1));
  }

  static Instant windowEnd(Instant now) {
    return now.truncatedTo(ChronoUnit.HOURS).plus(Duration.ofHours(1));
  }

  /** One stacked bar per hour of the window; an hour without completions has none. */
  static ChartPage.BarChart completions(List<ChartQueries.HourCount> counts, Instant since) {
    List<Map<ExecutionStatus, Long>> hours = new ArrayList<>();
    for (int i = 0; i < HOURS; i++) {
      hours.add(new EnumMap<>(ExecutionStatus.class));
    }
    long total = 0;
    for (ChartQueries.HourCount count : counts) {
      int index = (int) Duration.between(since, count.hour()).toHours();
      if (index >= 0 && index < HOURS) {
        hours.get(index).merge(count.status(), count.count(), Long::sum);
        total += count.count();
      }
    }
    long max = 1;
    for (Map<ExecutionStatus, Long> hour : hours) {
      max = Math.max(max, hour.values().stream().mapToLong(Long::longValue).sum());
    }
    double slot = PLOT_WIDTH / HOURS;
    List<ChartPage.Bar> bars = new ArrayList<>();
    for (int i = 0; i < HOURS; i++) {
      double base = TOP + PLOT_HEIGHT;
      Instant hour = since.plus(Duration.ofHours(i));
      for (ExecutionStatus status : STACK) {
        long count = hours.get(i).getOrDefault(status, 0L);
        if (count == 0) {
          continue;
        }
        double height = PLOT_HEIGHT * count / max;
        base -= height;
        bars.add(
            new ChartPage.Bar(
                number(LEFT + i * slot + 1),
                number(base),
                number(slot - 2),
                number(height),
                StatusLook.of(status).key(),
                HOUR.format(hour) + " UTC: " + count + " " + StatusLook.of(status).label()));
      }
    }
    return new ChartPage.BarChart(
        WIDTH, HEIGHT, bars, ticks(since, slot), Long.toString(max), Display.number(total));
  }

  /** The backlog's samples as one line over the window, scaled to its highest sample. */
  static ChartPage.LineChart backlog(List<ChartQueries.BacklogSample> samples, Instant since) {
    long max =
        Math.max(1, samples.stream().mapToLong(ChartQueries.BacklogSample::due).max().orElse(1));
    double perMilli = PLOT_WIDTH / Duration.ofHours(HOURS).toMillis();
    List<String> points = new ArrayList<>();
    String lastX = null;
    String lastY = null;
    for (ChartQueries.BacklogSample sample : samples) {
      lastX = number(LEFT + Duration.between(since, sample.at()).toMillis() * perMilli);
      lastY = number(TOP + PLOT_HEIGHT - PLOT_HEIGHT * sample.due() / max);
      points.add(lastX + "," + lastY);
    }
    return new ChartPage.LineChart(
        WIDTH,
        HEIGHT,
        String.join(" ", points),
        lastX,
        lastY,
        ticks(since, PLOT_WIDTH / HOURS),
        Long.toString(max),
        samples.isEmpty() ? Display.NONE : Display.number(samples.get(samples.size() - 1).due()),
        Integer.toString(samples.size()));
  }

  /** A label every three hours, under the start of its hour. */
  private static List<ChartPage.Tick> ticks(Instant since, double slot) {
    List<ChartPage.Tick> ticks = new ArrayList<>();
    for (int i = 0; i < HOURS; i += 3) {
      ticks.add(
          new ChartPage.Tick(
              number(LEFT + i * slot), HOUR.format(since.plus(Duration.ofHours(i)))));
    }
    return ticks;
  }

  /** The figures of each workflow or instance, as printed. */
  static List<ChartPage.TableRow> table(
      List<ChartQueries.Figures> figures, Function<ChartQueries.Figures, String> href) {
    List<ChartPage.TableRow> rows = new ArrayList<>();
    for (ChartQueries.Figures row : figures) {
      rows.add(
          new ChartPage.TableRow(
              row.label(),
              href.apply(row),
              Display.number(row.completed()),
              percent(row.failed(), row.completed()),
              seconds(row.p50Seconds()),
              seconds(row.p95Seconds()),
              row.callsPerExecution() == null
                  ? Display.NONE
                  : String.format(Locale.ROOT, "%.1f", row.callsPerExecution())));
    }
    return rows;
  }

  static String percent(long part, long whole) {
    return whole == 0 ? Display.NONE : String.format(Locale.ROOT, "%.1f%%", 100.0 * part / whole);
  }

  private static String seconds(Double value) {
    return value == null ? Display.NONE : Display.duration(Duration.ofSeconds(Math.round(value)));
  }

  /** A coordinate to one decimal, the same on every machine. */
  private static String number(double value) {
    return String.format(Locale.ROOT, "%.1f", value);
  }
}
