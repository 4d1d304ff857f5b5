package io.executionpoller.poll;

import io.executionpoller.crashpoint.CrashPoint;
import io.executionpoller.crashpoint.CrashPoints;
import io.executionpoller.logging.OutageLog;
import io.executionpoller.replica.ReplicaIdentity;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * The first part of the loop: claims due executions for this replica, a batch at a time, cycle
 * after cycle while work is due, and none once the replica is stopping. A claim that fails (the
 * database is away) ends the claims as finding nothing due would, and the outage is logged once,
 * once a minute and on recovery ({@link OutageLog}).
 */
@ApplicationScoped
class Claimer {

  private static final Logger LOG = Logger.getLogger(Claimer.class);

  /** Pause before claiming again after a claim that met only another claim's locks. */
  private static final Duration CONTENDED_CLAIM_PAUSE = Duration.ofMillis(5);

  private final ExecutionStore store;
  private final PollConfig config;
  private final Clock clock;
  private final String owner;
  private final CrashPoints crashPoints;
  private final Executor checksRunOn;
  private final OutageLog outage = new OutageLog(Duration.ofMinutes(1));
  private volatile boolean stopping;

  Claimer(
      ExecutionStore store,
      PollConfig config,
      Clock clock,
      ReplicaIdentity replica,
      CrashPoints crashPoints,
      LoopContexts contexts) {
    this.store = store;
    this.config = config;
    this.clock = clock;
    this.owner = replica.id();
    this.crashPoints = crashPoints;
    this.checksRunOn = contexts.executor();
  }

  /**
   * The executions due now, claimed batch by batch, cycle after cycle, until a claim finds nothing
   * due. A cycle ends at its bound (max-checks-per-cycle, {@code cycleEnded} is told) without
   * ending the claims: the next cycle's claims follow at once, so the checks in flight stay at
   * their limit while a backlog lasts. A partial batch does not end them (another replica's claim
   * may have held rows this one skipped), and neither does an empty claim that met only rows
   * another claim in flight had locked: that one is tried again.
   */
  Multi<ClaimedExecution> due(CycleTally tally, Runnable cycleEnded) {
    int batch = config.batchSize();
    long batchesPerCycle = Math.max(1, (config.maxChecksPerCycle() + batch - 1) / batch);
    AtomicLong batches = new AtomicLong();
    return Multi.createBy()
        .repeating()
        .uni(this::claimBatch)
        .whilst(claims -> !claims.isEmpty())
        // Claim the next batch while this one is being checked: a claim that only starts when
        // the batch runs out lets the checks in flight drain once per batch (about 10% of the
        // throughput at 64 in flight). One batch ahead. The batches go to the event loops, where
        // the clients answer (LoopContexts says why not to worker threads).
        .emitOn(checksRunOn, 1)
        .onItem()
        .invoke(
            claims -> {
              tally.recordClaimed(claims.size());
              if (!claims.isEmpty() && batches.incrementAndGet() % batchesPerCycle == 0) {
                cycleEnded.run();
              }
            })
        .onItem()
        .disjoint();
  }

  /** Graceful stop: claims nothing from now on. */
  void stop() {
    stopping = true;
  }

  /**
   * One batch. A claim that comes back empty only because another replica's claim in flight holds
   * every row it was offered (SKIP LOCKED) is tried again, briefly later: that claim commits within
   * milliseconds and the rows past it are this replica's to take. For one tick at most (on the
   * injected clock): rows held longer (an operator's transaction) end the claims as nothing due
   * would, and the next tick looks again.
   */
  private Uni<List<ClaimedExecution>> claimBatch() {
    return claimAgainIfContended(clock.instant().plus(config.tick()));
  }

  private Uni<List<ClaimedExecution>> claimAgainIfContended(Instant giveUpAt) {
    return claimOnce()
        .chain(
            claim ->
                claim.contended() && clock.instant().isBefore(giveUpAt)
                    ? Uni.createFrom()
                        .voidItem()
                        .onItem()
                        .delayIt()
                        .by(CONTENDED_CLAIM_PAUSE)
                        .chain(() -> claimAgainIfContended(giveUpAt))
                    : Uni.createFrom().item(claim.executions()));
  }

  private Uni<ExecutionStore.Claim> claimOnce() {
    if (stopping) {
      return Uni.createFrom().item(new ExecutionStore.Claim(List.of(), false));
    }
    // A failed claim ends the claims cleanly (as nothing due would): the checks already in
    // flight finish and are written; the next tick claims again.
    return store
        .claimBatch(owner, clock.instant(), config.leaseDuration(), config.batchSize())
        .onItem()
        .invoke(claim -> claimSucceeded(claim.executions()))
        .onFailure()
        .invoke(this::claimFailed)
        .onFailure()
        .recoverWithItem(new ExecutionStore.Claim(List.of(), false));
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
