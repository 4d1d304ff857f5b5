package io.executionpoller.stuck;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import jakarta.inject.Singleton;
import java.sql.SQLException;
import java.time.Clock;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * The gauge poller_executions_stuck{reason}, refreshed by every replica from the database (so any
 * replica's scrape shows the cluster-wide figure; aggregate with max, not sum).
 */
@Singleton
public class StuckGauge {

  private static final Logger LOG = Logger.getLogger(StuckGauge.class);

  private final StuckDetector detector;
  private final Clock clock;
  private final Map<StuckReason, AtomicLong> counts = new EnumMap<>(StuckReason.class);

  StuckGauge(StuckDetector detector, Clock clock, MeterRegistry registry) {
    this.detector = detector;
    this.clock = clock;
    for (StuckReason reason : StuckReason.values()) {
      AtomicLong count = new AtomicLong();
      counts.put(reason, count);
      Gauge.builder("poller.executions.stuck", count, AtomicLong::get)
          .description("Executions stuck, by reason (see GET /api/v1/executions/stuck)")
          .tag("reason", reason.name())
          .register(registry);
    }
  }

  @Scheduled(
      identity = "stuck-gauge",
      every = "${poller.stuck.gauge-refresh}",
      executeWith = Scheduled.SIMPLE,
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void refresh() {
    try {
      detector.count(clock.instant()).forEach((reason, count) -> counts.get(reason).set(count));
    } catch (SQLException | RuntimeException e) {
      LOG.debugf("counting stuck executions failed: %s", e.toString());
    }
  }

  /** The current figure for one reason (as last refreshed). */
  public long current(StuckReason reason) {
    return counts.get(reason).get();
  }
}
