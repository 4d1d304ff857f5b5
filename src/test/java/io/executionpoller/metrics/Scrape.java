package io.executionpoller.metrics;

import static io.restassured.RestAssured.given;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A Prometheus text exposition read into samples, enough to assert on names, labels and values. */
final class Scrape {

  /** One sample line: a name, its labels, its value. */
  record Sample(String name, Map<String, String> labels, double value) {}

  private static final Pattern LINE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})?\\s+(\\S+)(?:\\s+\\d+)?$");
  private static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  private final String text;
  private final List<Sample> samples;

  private Scrape(String text, List<Sample> samples) {
    this.text = text;
    this.samples = samples;
  }

  /**
   * Scrapes this test run's /q/metrics on {@code managementPort}, asking for the Prometheus text
   * format (which promtool reads; asked for nothing, Quarkus answers OpenMetrics).
   */
  static Scrape of(int managementPort) {
    String body =
        given()
            .port(managementPort)
            .accept("text/plain; version=0.0.4; charset=utf-8")
            .get("/q/metrics")
            .then()
            .statusCode(200)
            .extract()
            .asString();
    return parse(body);
  }

  static Scrape parse(String text) {
    List<Sample> samples = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Matcher matcher = LINE.matcher(line);
      if (!matcher.matches()) {
        throw new AssertionError("not a sample line: " + line);
      }
      Map<String, String> labels = new LinkedHashMap<>();
      if (matcher.group(2) != null) {
        Matcher label = LABEL.matcher(matcher.group(2));
        while (label.find()) {
          labels.put(label.group(1), label.group(2));
        }
      }
      samples.add(new Sample(matcher.group(1), labels, Double.parseDouble(matcher.group(3))));
    }
    return new Scrape(text, samples);
  }

  String text() {
    return text;
  }

  List<Sample> samples() {
    return samples;
  }

  /** Samples of {@code name} (an exact sample name such as foo_total or foo_bucket). */
  List<Sample> named(String name) {
    return samples.stream().filter(sample -> sample.name().equals(name)).toList();
  }

  /** The value of the one sample of {@code name} whose labels include {@code labels}; 0 if none. */
  double value(String name, Map<String, String> labels) {
    List<Sample> matching =
        named(name).stream()
            .filter(sample -> sample.labels().entrySet().containsAll(labels.entrySet()))
            .toList();
    if (matching.size() > 1) {
      throw new AssertionError(name + labels + " matches " + matching.size() + " samples");
    }
    return matching.isEmpty() ? 0 : matching.get(0).value();
  }

  double value(String name) {
    return value(name, Map.of());
  }

  /** The sum over every sample of {@code name}. */
  double sum(String name) {
    return named(name).stream().mapToDouble(Sample::value).sum();
  }

  /** The HELP and TYPE lines of a family, as printed. */
  List<String> metadata(String family) {
    List<String> lines = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("# HELP " + family + " ") || line.startsWith("# TYPE " + family + " ")) {
        lines.add(line);
      }
    }
    return lines;
  }
}
