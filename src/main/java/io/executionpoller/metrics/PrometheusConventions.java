package io.executionpoller.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Brings the meters of the libraries underneath (Vert.x, Netty, the JVM binders) in line with the
 * Prometheus conventions our own meters follow, so that {@code promtool check metrics} passes on
 * the whole scrape: label names in snake_case (Vert.x's SQL client says {@code clientName}), a HELP
 * text on every family (a meter without a description gets its own name), and some meters left out:
 * two JVM meters whose names break the conventions, and every long-task timer (Vert.x's
 * http_server_connections_seconds), whose _active_count and _duration_sum samples do not belong to
 * the summary family they are printed under.
 */
@Singleton
public class PrometheusConventions implements MeterFilter {

  /**
   * process_cpu_time_ns_total counts nanoseconds ("ns", an abbreviated unit; process_cpu_usage
   * stays); system_cpu_count is a gauge whose name ends like a histogram's _count.
   */
  static final Set<String> LEFT_OUT = Set.of("process.cpu.time", "system.cpu.count");

  private static final Pattern CAMEL_HUMP = Pattern.compile("([a-z0-9])([A-Z])");

  @Override
  public MeterFilterReply accept(Meter.Id id) {
    return LEFT_OUT.contains(id.getName()) || id.getType() == Meter.Type.LONG_TASK_TIMER
        ? MeterFilterReply.DENY
        : MeterFilterReply.NEUTRAL;
  }

  @Override
  public Meter.Id map(Meter.Id id) {
    Meter.Id mapped = id;
    if (id.getTags().stream().anyMatch(tag -> !isSnakeCase(tag.getKey()))) {
      List<Tag> tags = new ArrayList<>();
      id.getTags().forEach(tag -> tags.add(Tag.of(snakeCase(tag.getKey()), tag.getValue())));
      mapped = mapped.replaceTags(tags);
    }
    if (id.getDescription() == null || id.getDescription().isBlank()) {
      mapped =
          new Meter.Id(
              mapped.getName(),
              Tags.of(mapped.getTags()),
              mapped.getBaseUnit(),
              mapped.getName(),
              mapped.getType());
    }
    return mapped;
  }

  static String snakeCase(String key) {
    return CAMEL_HUMP.matcher(key).replaceAll("$1_$2").toLowerCase(Locale.ROOT);
  }

  private static boolean isSnakeCase(String key) {
    return key.equals(key.toLowerCase(Locale.ROOT));
  }
}
