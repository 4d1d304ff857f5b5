package io.executionpoller.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One gauge per enum value under one name and tag, set together from a count query (results not
 * stored, by status; stuck executions, by reason). A value missing from a count is zero.
 */
public final class CountGauges<E extends Enum<E>> {

  private final Map<E, AtomicLong> counts;

  public CountGauges(
      MeterRegistry registry, String name, String description, String tag, Set<E> values) {
    this.counts = new EnumMap<>(values.iterator().next().getDeclaringClass());
    for (E value : EnumSet.copyOf(values)) {
      AtomicLong count = new AtomicLong();
      counts.put(value, count);
      Gauge.builder(name, count, AtomicLong::get)
          .description(description)
          .tag(tag, value.name())
          .register(registry);
    }
  }

  /** Sets every gauge: its count, or zero when the count has none. */
  public void set(Map<E, Long> values) {
    counts.forEach((value, count) -> count.set(values.getOrDefault(value, 0L)));
  }

  /** The figure last set for one value. */
  public long current(E value) {
    return counts.get(value).get();
  }
}
