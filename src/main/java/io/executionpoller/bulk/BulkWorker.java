package io.executionpoller.bulk;

import io.executionpoller.admin.ActionOutcome;
import io.executionpoller.admin.ExecutionActions;
import io.executionpoller.admin.ExecutionCancel;
import io.executionpoller.api.ApiProblem;
import io.executionpoller.config.SwitchedOff;
import io.executionpoller.db.FromBlockingThread;
import io.executionpoller.replica.ReplicaIdentity;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Works bulk jobs on every replica: each tick claims the oldest unfinished job (one at a time
 * across replicas), takes the items its pace allows ({@link BulkPace}) and applies the single
 * operator action to each, in turn, recording each outcome before the next. The action itself is
 * the one an operator's POST /executions/{id}/... runs, with its guards and races; an item is only
 * begun and recorded while this replica holds the job's lease.
 *
 * <p>A worker that stops between an action and its record leaves the item unrecorded; whoever takes
 * the job over begins it again, and the single action's own guard answers it: an execution already
 * cancelled or retried is refused (409) and the item is recorded SKIPPED, with no second call to
 * AMC.
 */
@ApplicationScoped
public class BulkWorker {

  private static final Logger LOG = Logger.getLogger(BulkWorker.class);

  private final BulkStore store;
  private final ExecutionCancel cancels;
  private final ExecutionActions actions;
  private final BulkConfig config;
  private final BulkPace pace;
  private final Clock clock;
  private final String owner;

  BulkWorker(
      BulkStore store,
      ExecutionCancel cancels,
      ExecutionActions actions,
      BulkConfig config,
      Clock clock,
      ReplicaIdentity replica) {
    this.store = store;
    this.cancels = cancels;
    this.actions = actions;
    this.config = config;
    this.pace = new BulkPace(config.ratePerSecond(), config.tick());
    this.clock = clock;
    this.owner = replica.id();
  }

  @Scheduled(
      identity = "bulk-jobs",
      every = "${poller.bulk.tick}",
      executeWith = Scheduled.SIMPLE,
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
      skipExecutionIf = BulkDisabled.class)
  void tick() {
    try {
      runOnce(owner);
    } catch (RuntimeException e) {
      // The next tick tries again; a job's lease runs out if this replica cannot go on.
      LOG.warnf("working bulk jobs failed (database unreachable?): %s", e.toString());
    }
  }

  /** Works one batch as this replica: how tests drive the worker. */
  public int runOnce() {
    return runOnce(owner);
  }

  /**
   * Claims the oldest job for {@code leaseOwner} and works the items its pace allows now; the
   * number of items worked. Tests pass their own owner to act as another replica. Blocking: runs on
   * a worker thread, never on an event loop.
   */
  public int runOnce(String leaseOwner) {
    Instant now = clock.instant();
    Optional<BulkStore.ClaimedJob> claimed =
        FromBlockingThread.inTransaction(
            () ->
                store
                    .claim(leaseOwner, now, config.leaseDuration())
                    .call(job -> job.isPresent() ? paced(job.get(), leaseOwner, now) : none()));
    if (claimed.isEmpty()) {
      return 0;
    }
    BulkStore.ClaimedJob job = claimed.get();
    int allowed = pace.batch(job.pacedUntil(), now).items();
    int worked = 0;
    try {
      while (worked < allowed && workNext(job, leaseOwner)) {
        worked++;
      }
    } finally {
      FromBlockingThread.inTransaction(
          () -> store.release(job.id(), leaseOwner, clock.instant()).replaceWith(true));
    }
    return worked;
  }

  private Uni<Void> paced(BulkStore.ClaimedJob job, String leaseOwner, Instant now) {
    return store.pace(job.id(), leaseOwner, pace.batch(job.pacedUntil(), now).pacedUntil());
  }

  private static Uni<Void> none() {
    return Uni.createFrom().voidItem();
  }

  /** Begins, works and records the job's next item; false when there is none or the lease went. */
  private boolean workNext(BulkStore.ClaimedJob job, String leaseOwner) {
    Optional<BulkStore.BegunItem> begun =
        FromBlockingThread.inTransaction(
            () -> store.begin(job.id(), leaseOwner, clock.instant(), config.leaseDuration()));
    if (begun.isEmpty()) {
      return false;
    }
    BulkStore.BegunItem item = begun.get();
    Result result = act(job, item.executionId());
    boolean recorded =
        FromBlockingThread.inTransaction(
            () ->
                store.record(
                    job.id(),
                    leaseOwner,
                    item.position(),
                    result.outcome(),
                    result.message(),
                    clock.instant()));
    if (!recorded) {
      LOG.warnf(
          "bulk job %s: lost its lease while working execution %s; the next holder goes on",
          job.id(), item.executionId());
    }
    return recorded;
  }

  private record Result(BulkItemOutcome outcome, String message) {}

  /**
   * The single action on one execution, as the operator who confirmed the job, naming the job and
   * its reason in the execution's events. A refusal because the execution moved on is a skip.
   */
  private Result act(BulkStore.ClaimedJob job, UUID execution) {
    String caller = job.operator() + " (bulk job " + job.id() + ": " + job.reason() + ")";
    try {
      ActionOutcome outcome =
          VertxContextSupport.subscribeAndAwait(() -> start(job.action(), execution, caller));
      return new Result(BulkItemOutcome.DONE, outcome.message());
    } catch (Throwable failure) {
      ApiProblem refused = refusal(failure);
      if (refused != null) {
        boolean movedOn = refused.status() == 404 || refused.status() == 409;
        return new Result(
            movedOn ? BulkItemOutcome.SKIPPED : BulkItemOutcome.FAILED, refused.getMessage());
      }
      LOG.warnf(
          failure, "bulk job %s: %s of execution %s failed", job.id(), job.action(), execution);
      return new Result(
          BulkItemOutcome.FAILED,
          "failed unexpectedly (" + failure.getClass().getSimpleName() + "); see the log");
    }
  }

  /** The action's own answer (a refusal, or AMC's 502), however the await wrapped it. */
  private static ApiProblem refusal(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof ApiProblem problem) {
        return problem;
      }
    }
    return null;
  }

  /** Created on the Vert.x context the await provides: the actions need it. */
  private Uni<ActionOutcome> start(BulkAction action, UUID execution, String caller) {
    return switch (action) {
      case CANCEL -> cancels.cancel(execution, caller);
      case RETRY -> actions.retry(execution, caller);
      case CHECK_NOW -> actions.pollNow(execution, caller);
    };
  }

  /** Tests switch the scheduled worker off and drive {@link #runOnce} themselves. */
  @Singleton
  static class BulkDisabled extends SwitchedOff {

    BulkDisabled(BulkConfig config) {
      super(config::enabled);
    }
  }
}
