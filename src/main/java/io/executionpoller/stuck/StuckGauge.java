package io.executionpoller.stuck;

import io.executionpoller.db.FromBlockingThread;
import io.executionpoller.metrics.CountGauges;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumSet;
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
  private final CountGauges<StuckReason> counts;

  StuckGauge(StuckDetector detector, Clock clock, MeterRegistry registry) {
    this.detector = detector;
    this.clock = clock;
    this.counts =
        new CountGauges<>(
            registry,
            "poller.executions.stuck",
            "Executions stuck, by reason (see GET /api/v1/executions/stuck)",
            "reason",
            EnumSet.allOf(StuckReason.class));
  }

  @Scheduled(
      identity = "stuck-gauge",
      every = "${poller.stuck.gauge-refresh}",
      executeWith = Scheduled.SIMPLE,
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void refresh() {
    Instant now = clock.instant();
    try {
      // A worker thread of the in-memory scheduler: it may wait for the count.
      counts.set(FromBlockingThread.inSession(() -> detector.count(now)));
    } catch (RuntimeException e) {
      LOG.debugf("counting stuck executions failed: %s", e.toString());
    }
  }

  /** The current figure for one reason (as last refreshed). */
  public long current(StuckReason reason) {
    return counts.current(reason);
  }
}
