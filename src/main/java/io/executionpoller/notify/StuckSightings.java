package io.executionpoller.notify;

import io.executionpoller.db.FromBlockingThread;
import io.executionpoller.execution.EventRows;
import io.executionpoller.execution.EventType;
import io.executionpoller.replica.ReplicaIdentity;
import io.executionpoller.stuck.StuckDetector;
import io.executionpoller.stuck.StuckExecution;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * Records the first time an execution shows up in the stuck list for each reason, with a STUCK
 * event (which the outbox turns into {@code execution.stuck}). Every replica may run it: the
 * sighting's primary key lets one insert win, and only the winner writes the event, in the same
 * transaction.
 */
@Singleton
public class StuckSightings {

  private static final Logger LOG = Logger.getLogger(StuckSightings.class);

  /** Stuck executions looked at per run; the rest are seen on the next runs. */
  static final int LIMIT = 500;

  private static final String SIGHTING =
      """
      INSERT INTO execution_stuck_sightings (execution_id, reason, first_seen_at)
      VALUES (:execution, :reason, :now)
      ON CONFLICT (execution_id, reason) DO NOTHING
      """;

  private final StuckDetector detector;
  private final Clock clock;
  private final String replica;

  StuckSightings(StuckDetector detector, Clock clock, ReplicaIdentity replica) {
    this.detector = detector;
    this.clock = clock;
    this.replica = replica.id();
  }

  @Scheduled(
      identity = "stuck-sightings",
      every = "${poller.stuck.gauge-refresh}",
      executeWith = Scheduled.SIMPLE,
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
      skipExecutionIf = DeliveryDispatcher.NotificationsDisabled.class)
  void tick() {
    try {
      record();
    } catch (RuntimeException e) {
      LOG.debugf("recording stuck sightings failed: %s", e.toString());
    }
  }

  /** Records new sightings; returns how many were new. */
  public int record() {
    Instant now = clock.instant();
    return FromBlockingThread.inTransaction(
        () ->
            detector
                .find(now, LIMIT)
                .onItem()
                .transformToMulti(stuck -> Multi.createFrom().iterable(stuck))
                .onItem()
                .transformToUniAndConcatenate(stuck -> sighted(stuck, now))
                .collect()
                .with(java.util.stream.Collectors.summingInt(Integer::intValue)));
  }

  /** 1 when this is the first sighting of the execution for this reason (its event written). */
  private Uni<Integer> sighted(StuckExecution stuck, Instant now) {
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(SIGHTING)
                    .setParameter("execution", stuck.executionId())
                    .setParameter("reason", stuck.reason().name())
                    .setParameter("now", now)
                    .executeUpdate()
                    .chain(
                        inserted ->
                            inserted == 0
                                ? Uni.createFrom().item(0)
                                : EventRows.insert(
                                        session,
                                        stuck.executionId(),
                                        now,
                                        EventType.STUCK,
                                        stuck.reason() + ": " + stuck.detail(),
                                        replica)
                                    .replaceWith(1)));
  }
}
