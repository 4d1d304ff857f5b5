package io.executionpoller.dashboard;

import io.executionpoller.db.FromBlockingThread;
import io.executionpoller.execution.ExecutionStatus;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * Samples the due-check backlog (active executions due and not checked) into due_backlog_samples,
 * the history the charts draw. Every replica samples; the slot's start is the key, so a slot holds
 * the first replica's figure and the others' inserts do nothing.
 */
@Singleton
public class BacklogSampler {

  private static final Logger LOG = Logger.getLogger(BacklogSampler.class);

  /** How long samples are kept: the charts show one day. */
  static final Duration KEPT = Duration.ofDays(2);

  private static final String SAMPLE =
      """
      INSERT INTO due_backlog_samples (sampled_at, due)
      SELECT :slot, count(*) FROM workflow_executions
       WHERE status = ANY(:active) AND next_poll_at <= :now
      ON CONFLICT (sampled_at) DO NOTHING
      """;

  private static final String FORGET = "DELETE FROM due_backlog_samples WHERE sampled_at < :before";

  private final Clock clock;
  private final DashboardConfig config;

  BacklogSampler(Clock clock, DashboardConfig config) {
    this.clock = clock;
    this.config = config;
  }

  @Scheduled(
      identity = "due-backlog-sampler",
      every = "${poller.dashboard.backlog-sample-interval}",
      executeWith = Scheduled.SIMPLE,
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void sample() {
    try {
      // A worker thread of the in-memory scheduler: it may wait for the write.
      FromBlockingThread.inTransaction(() -> sampleNow(clock.instant()));
    } catch (RuntimeException e) {
      LOG.debugf("sampling the due-check backlog failed: %s", e.toString());
    }
  }

  /** Records the backlog at {@code now} in its slot and forgets samples past {@link #KEPT}. */
  Uni<Void> sampleNow(Instant now) {
    long slotMillis = config.backlogSampleInterval().toMillis();
    Instant slot = Instant.ofEpochMilli(now.toEpochMilli() / slotMillis * slotMillis);
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(SAMPLE)
                    .setParameter("slot", slot)
                    .setParameter("active", ExecutionStatus.names(ExecutionStatus.ACTIVE))
                    .setParameter("now", now)
                    .executeUpdate()
                    .chain(
                        () ->
                            session
                                .createNativeQuery(FORGET)
                                .setParameter("before", now.minus(KEPT))
                                .executeUpdate()))
        .replaceWithVoid();
  }
}
