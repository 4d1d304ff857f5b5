package io.executionpoller.poll;

import io.executionpoller.remote.AmcClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * One pass of the poll loop on this replica: claim due executions in batches, check each against
 * AMC with at most {@code max-concurrent-polls} in flight, decide, and write. Observe, decide, act:
 * the client observes, {@link WritePlanner} decides, {@link ExecutionStore} writes. Tests call
 * {@link #runOnce()} directly.
 */
@ApplicationScoped
public class PollCycle {

  private static final Logger LOG = Logger.getLogger(PollCycle.class);
  private static final int MAX_PENDING_WRITE_GROUPS = 10_000;

  private final ExecutionStore store;
  private final AmcClient amc;
  private final PollConfig config;
  private final Clock clock;
  private final String owner;
  private final WritePlanner planner;
  private final Counter transitionsApplied;

  @Inject
  PollCycle(
      ExecutionStore store,
      AmcClient amc,
      PollConfig config,
      Clock clock,
      ReplicaIdentity replica,
      MeterRegistry registry) {
    this(store, amc, config, clock, replica.id(), registry);
  }

  /** A cycle with an explicit owner: tests run two of these to play two replicas. */
  public PollCycle(
      ExecutionStore store,
      AmcClient amc,
      PollConfig config,
      Clock clock,
      String owner,
      MeterRegistry registry) {
    this.store = store;
    this.amc = amc;
    this.config = config;
    this.clock = clock;
    this.owner = owner;
    this.planner =
        new WritePlanner(
            new WritePlanner.Settings(config.interval(), config.maxConsecutivePollErrors()));
    this.transitionsApplied =
        Counter.builder("poller.transitions.applied")
            .description("Status transitions applied by the poll loop")
            .register(registry);
  }

  public String owner() {
    return owner;
  }

  /** Claims and checks everything due now (bounded by max-checks-per-cycle), then completes. */
  public Uni<CycleReport> runOnce() {
    Tally tally = new Tally();
    return dueExecutions(tally)
        .onItem()
        .transformToUni(this::check)
        .merge(config.maxConcurrentPolls())
        .map(outcome -> planner.plan(outcome, clock.instant()))
        .group()
        .intoLists()
        .of(config.batchSize(), config.writeFlushInterval())
        // The flush timer emits regardless of demand; hold its groups while a write runs.
        .onOverflow()
        .buffer(MAX_PENDING_WRITE_GROUPS)
        .onItem()
        .transformToUniAndConcatenate(plans -> persist(plans, tally))
        .collect()
        .last()
        .map(ignored -> tally.report());
  }

  private Multi<ClaimedExecution> dueExecutions(Tally tally) {
    int batch = config.batchSize();
    long maxBatches = Math.max(1, (config.maxChecksPerCycle() + batch - 1) / batch);
    // A full batch means more may be due: claim again, up to the cycle's bound. A partial or
    // empty batch ends the cycle.
    return Multi.createBy()
        .repeating()
        .uni(this::claimBatch)
        .whilst(claims -> claims.size() == batch)
        .select()
        .first(maxBatches)
        .onItem()
        .invoke(claims -> tally.claimed.addAndGet(claims.size()))
        .onItem()
        .disjoint();
  }

  private Uni<List<ClaimedExecution>> claimBatch() {
    Instant now = clock.instant();
    return store.claim(owner, now, now.plus(config.leaseDuration()), config.batchSize());
  }

  /** Submits or checks one execution; never fails, a failure is an outcome. */
  private Uni<CheckOutcome> check(ClaimedExecution execution) {
    Uni<CheckOutcome> work = execution.needsSubmission() ? submit(execution) : observe(execution);
    return work.ifNoItem()
        .after(config.checkDeadline())
        .failWith(
            () -> new TimeoutException("check passed its deadline of " + config.checkDeadline()))
        .onFailure()
        .recoverWithItem(failure -> new CheckOutcome.Failed(execution, failure));
  }

  private Uni<CheckOutcome> observe(ClaimedExecution execution) {
    return amc.getExecution(execution.target(), execution.amcExecutionId())
        .map(remote -> new CheckOutcome.Observed(execution, remote));
  }

  private Uni<CheckOutcome> submit(ClaimedExecution execution) {
    // Write the attempt before the create is sent, so an unanswered create can be recognised.
    return store
        .markSubmitAttempt(owner, clock.instant(), execution)
        .chain(
            version ->
                version == null
                    ? Uni.createFrom().item(new CheckOutcome.LostClaim(execution))
                    : createRemotely(execution.withVersion(version)));
  }

  private Uni<CheckOutcome> createRemotely(ClaimedExecution execution) {
    return amc.createExecution(execution.target(), execution.createRequest())
        .map(remote -> new CheckOutcome.Submitted(execution, remote));
  }

  private Uni<Void> persist(List<WritePlan> plans, Tally tally) {
    Instant now = clock.instant();
    List<WritePlan.Reschedule> unchanged = new ArrayList<>();
    List<WritePlan.Update> updates = new ArrayList<>();
    for (WritePlan plan : plans) {
      if (plan instanceof WritePlan.Reschedule reschedule) {
        unchanged.add(reschedule);
      } else if (plan instanceof WritePlan.Update update) {
        updates.add(update);
      }
    }
    Uni<Void> batched =
        store
            .reschedule(owner, now, unchanged)
            .invoke(written -> tally.recordRescheduled(unchanged.size(), written))
            .replaceWithVoid();
    return Multi.createFrom()
        .iterable(updates)
        .onItem()
        .transformToUniAndConcatenate(update -> applyUpdate(now, update, tally))
        .collect()
        .last()
        .chain(() -> batched)
        .onFailure()
        .invoke(failure -> LOG.errorf(failure, "writing %d check outcomes failed", plans.size()))
        .onFailure()
        .recoverWithNull();
  }

  private Uni<Void> applyUpdate(Instant now, WritePlan.Update update, Tally tally) {
    return store
        .apply(owner, now, update)
        .invoke(applied -> tally.recordUpdate(update, applied))
        .invoke(applied -> logUpdate(update, applied))
        .onFailure()
        .invoke(
            failure -> LOG.errorf(failure, "writing execution %s failed", update.execution().id()))
        .onFailure()
        .recoverWithNull()
        .replaceWithVoid();
  }

  private void logUpdate(WritePlan.Update update, boolean applied) {
    if (!applied) {
      LOG.debugf("execution %s changed under us; outcome dropped", update.execution().id());
      return;
    }
    for (NewEvent event : update.events()) {
      switch (event.type()) {
        case TRANSITION -> {
          transitionsApplied.increment();
          LOG.infof(
              "EXEC_TRANSITION execution=%s remote=%s from=%s to=%s reason=%s",
              update.execution().id(),
              update.amcExecutionId(),
              event.from(),
              event.to(),
              event.message());
        }
        case SUBMITTED ->
            LOG.infof(
                "EXEC_SUBMITTED execution=%s remote=%s",
                update.execution().id(), update.amcExecutionId());
        case CHECK_FAILED ->
            LOG.warnf(
                "EXEC_CHECK_FAILED execution=%s error=%s",
                update.execution().id(), event.message());
        default ->
            LOG.warnf(
                "EXEC_%s execution=%s remote=%s remoteStatus=%s",
                event.type(),
                update.execution().id(),
                update.amcExecutionId(),
                event.remoteStatus());
      }
    }
  }

  /** Counters for one cycle; merged from concurrent callbacks. */
  private static final class Tally {
    final AtomicInteger claimed = new AtomicInteger();
    final AtomicInteger unchanged = new AtomicInteger();
    final AtomicInteger updated = new AtomicInteger();
    final AtomicInteger transitions = new AtomicInteger();
    final AtomicInteger failedChecks = new AtomicInteger();
    final AtomicInteger lostWrites = new AtomicInteger();

    void recordRescheduled(int attempted, int written) {
      unchanged.addAndGet(written);
      lostWrites.addAndGet(attempted - written);
    }

    void recordUpdate(WritePlan.Update update, boolean applied) {
      if (!applied) {
        lostWrites.incrementAndGet();
        return;
      }
      updated.incrementAndGet();
      transitions.addAndGet((int) update.transitions());
      if (update.lastErrorAt() != null) {
        failedChecks.incrementAndGet();
      }
    }

    CycleReport report() {
      return new CycleReport(
          claimed.get(),
          unchanged.get(),
          updated.get(),
          transitions.get(),
          failedChecks.get(),
          lostWrites.get());
    }
  }
}
