package io.executionpoller.dashboard;

import io.quarkus.qute.TemplateData;
import java.util.List;

/**
 * The charts page: completions per hour by final status and the due-check backlog over the last
 * day, drawn as server-side SVG from numbers computed here (the template only places them), and per
 * workflow and per instance the figures of the same day.
 *
 * @param scope what the charts are narrowed to ("all workflows", a workflow, an instance)
 */
@TemplateData
public record ChartPage(
    String scope,
    boolean scoped,
    String window,
    BarChart completions,
    List<Legend> legend,
    LineChart backlog,
    List<TableRow> workflows,
    List<TableRow> instances,
    long refreshSeconds,
    String generatedAt) {

  /** Stacked bars; coordinates are SVG user units, already formatted. */
  @TemplateData
  public record BarChart(
      int width, int height, List<Bar> bars, List<Tick> ticks, String yMax, String total) {}

  /** One status's part of one hour's bar; {@code title} says it in words (shown on hover). */
  @TemplateData
  public record Bar(String x, String y, String width, String height, String key, String title) {}

  /** A label on the time axis. */
  @TemplateData
  public record Tick(String x, String label) {}

  /** A status's colour key and label. */
  @TemplateData
  public record Legend(String key, String label) {}

  /**
   * A polyline of samples; {@code points} is empty without samples. The latest sample is also drawn
   * as a dot at ({@code lastX}, {@code lastY}), so a single sample is visible too.
   */
  @TemplateData
  public record LineChart(
      int width,
      int height,
      String points,
      String lastX,
      String lastY,
      List<Tick> ticks,
      String yMax,
      String latest,
      String samples) {}

  /** One workflow's or instance's day; {@code href} narrows the charts to it. */
  @TemplateData
  public record TableRow(
      String label,
      String href,
      String completed,
      String failureRate,
      String p50,
      String p95,
      String calls) {}
}
