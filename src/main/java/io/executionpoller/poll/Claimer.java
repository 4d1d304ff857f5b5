package io.executionpoller.poll;

import io.executionpoller.crashpoint.CrashPoint;
import io.executionpoller.crashpoint.CrashPoints;
import io.executionpoller.logging.OutageLog;
import io.executionpoller.replica.ReplicaIdentity;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The first part of a cycle: claims due executions for this replica, a batch at a time, up to the
 * cycle's bound, and none once the replica is stopping. A claim that fails (the database is away)
 * ends the cycle's claims as an empty one would, and the outage is logged once, once a minute and
 * on recovery ({@link OutageLog}).
 */
@ApplicationScoped
class Claimer {

  private static final Logger LOG = Logger.getLogger(Claimer.class);

  private final ExecutionStore store;
  private final PollConfig config;
  private final Clock clock;
  private final String owner;
  private final CrashPoints crashPoints;
  private final OutageLog outage = new OutageLog(Duration.ofMinutes(1));
  private volatile boolean stopping;

  Claimer(
      ExecutionStore store,
      PollConfig config,
      Clock clock,
      ReplicaIdentity replica,
      CrashPoints crashPoints) {
    this.store = store;
    this.config = config;
    this.clock = clock;
    this.owner = replica.id();
    this.crashPoints = crashPoints;
  }

  /**
   * The executions due now, claimed batch by batch while claims come back, up to the cycle's bound
   * (max-checks-per-cycle); an empty claim ends them. A partial batch does not: another replica's
   * claim may have held rows this one skipped.
   */
  Multi<ClaimedExecution> due(CycleTally tally) {
    int batch = config.batchSize();
    long maxBatches = Math.max(1, (config.maxChecksPerCycle() + batch - 1) / batch);
    return Multi.createBy()
        .repeating()
        .uni(this::claimBatch)
        .whilst(claims -> !claims.isEmpty())
        .select()
        .first(maxBatches)
        // Claim the next batch while this one is being checked: a claim that only starts when
        // the batch runs out lets the checks in flight drain once per batch (about 10% of the
        // throughput at 64 in flight). One batch ahead, never past the cycle's bound.
        .emitOn(Infrastructure.getDefaultExecutor(), 1)
        .onItem()
        .invoke(claims -> tally.recordClaimed(claims.size()))
        .onItem()
        .disjoint();
  }

  /** Graceful stop: claims nothing from now on. */
  void stop() {
    stopping = true;
  }

  private Uni<List<ClaimedExecution>> claimBatch() {
    if (stopping) {
      return Uni.createFrom().item(List.of());
    }
    // A failed claim ends the cycle cleanly (as an empty claim would): the checks already in
    // flight finish and are written; the next tick claims again.
    return store
        .claim(owner, clock.instant(), config.leaseDuration(), config.batchSize())
        .onItem()
        .invoke(this::claimSucceeded)
        .onFailure()
        .invoke(this::claimFailed)
        .onFailure()
        .recoverWithItem(List.of());
  }

  /** A database outage fails every claim; say so once, then once a minute, then on recovery. */
  private void claimFailed(Throwable failure) {
    Instant now = clock.instant();
    synchronized (outage) {
      switch (outage.failed(now)) {
        case FIRST_FAILURE:
          LOG.errorf("claiming due executions failed (database unreachable?): %s", failure);
          break;
        case STILL_FAILING:
          LOG.errorf(
              "claiming still failing since %s (%d failed claims not logged): %s",
              outage.failingSince(), outage.takeUnlogged(), failure);
          break;
        default:
          break;
      }
    }
  }

  private void claimSucceeded(List<ClaimedExecution> claims) {
    if (!claims.isEmpty()) {
      crashPoints.reached(CrashPoint.AFTER_CLAIM, claims.get(0).id());
    }
    synchronized (outage) {
      Instant since = outage.failingSince();
      if (outage.succeeded() == OutageLog.Line.RECOVERED) {
        LOG.infof("claiming recovered after %d failed claims since %s", outage.failures(), since);
      }
    }
  }
}
