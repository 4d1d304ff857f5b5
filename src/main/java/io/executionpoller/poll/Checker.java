package io.executionpoller.poll;

import io.executionpoller.admission.QuotaRefusal;
import io.executionpoller.crashpoint.CrashPoint;
import io.executionpoller.crashpoint.CrashPoints;
import io.executionpoller.remote.AmcClient;
import io.executionpoller.remote.CallDeferred;
import io.executionpoller.remote.guard.RemoteGate;
import io.executionpoller.replica.ReplicaIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The second part of a cycle: checks one claimed execution against AMC and says what it found. An
 * execution with a remote id is observed; one without is submitted, after looking for the run an
 * unanswered create may have made, to adopt it instead of creating a second. Nothing is decided or
 * written here but the submit attempt, which must be on record before the create is sent.
 */
@ApplicationScoped
class Checker {

  private final AmcClient amc;
  private final ExecutionStore store;
  private final UnansweredCreates unanswered;
  private final InstanceListings listings;
  private final PollConfig config;
  private final Clock clock;
  private final String owner;
  private final CrashPoints crashPoints;
  private final CheckSpans spans;

  Checker(
      AmcClient amc,
      ExecutionStore store,
      UnansweredCreates unanswered,
      InstanceListings listings,
      PollConfig config,
      Clock clock,
      ReplicaIdentity replica,
      CrashPoints crashPoints,
      CheckSpans spans) {
    this.amc = amc;
    this.store = store;
    this.unanswered = unanswered;
    this.listings = listings;
    this.config = config;
    this.clock = clock;
    this.owner = replica.id();
    this.crashPoints = crashPoints;
    this.spans = spans;
  }

  /**
   * Submits or checks one execution within the check deadline; never fails, a failure is an
   * outcome.
   */
  Uni<CheckOutcome> check(ClaimedExecution execution) {
    return spans.around(execution, () -> checkWithinDeadline(execution));
  }

  private Uni<CheckOutcome> checkWithinDeadline(ClaimedExecution execution) {
    if (clock.instant().plus(config.checkDeadline()).isAfter(execution.leaseExpiresAt())) {
      return Uni.createFrom().item(new CheckOutcome.LeaseTooShort(execution));
    }
    // A submission bumps the version when it records its attempt; whatever ends the check
    // (answer, failure, deadline), the outcome must carry the version the row now has.
    AtomicReference<ClaimedExecution> current = new AtomicReference<>(execution);
    Uni<CheckOutcome> work =
        execution.needsSubmission() ? submit(execution, current) : observe(execution);
    return work.ifNoItem()
        .after(config.checkDeadline())
        .failWith(
            () -> new TimeoutException("check passed its deadline of " + config.checkDeadline()))
        .onFailure()
        .recoverWithItem(failure -> new CheckOutcome.Failed(current.get(), failure));
  }

  /**
   * The instance's listing answers when it settles the check (listed, status unchanged); else one
   * GET does, which also confirms a change the listing reported.
   */
  private Uni<CheckOutcome> observe(ClaimedExecution execution) {
    return listings
        .settledAnswer(execution)
        .chain(
            listed ->
                listed != null
                    ? Uni.createFrom().item(listed)
                    : amc.getExecution(execution.target(), execution.amcExecutionId()))
        .invoke(remote -> crashPoints.reached(CrashPoint.AFTER_REMOTE_STATUS, execution.id()))
        .map(remote -> new CheckOutcome.Observed(execution, remote));
  }

  /**
   * Submits an execution that has no remote id. If a create was sent before and never answered, the
   * remote execution may exist: look for it first and adopt it rather than create a second.
   */
  private Uni<CheckOutcome> submit(
      ClaimedExecution execution, AtomicReference<ClaimedExecution> current) {
    Uni<CheckOutcome> adopted =
        execution.hadUnansweredCreate() ? findOwnExecution(execution) : Uni.createFrom().nullItem();
    return adopted.chain(
        found -> found != null ? Uni.createFrom().item(found) : createRemotely(execution, current));
  }

  private Uni<CheckOutcome> findOwnExecution(ClaimedExecution execution) {
    return unanswered
        .find(execution)
        .map(found -> found == null ? null : new CheckOutcome.Submitted(execution, found, true));
  }

  private Uni<CheckOutcome> createRemotely(
      ClaimedExecution execution, AtomicReference<ClaimedExecution> current) {
    // Ask the breaker first, then admission and the attempt in one transaction, then send: an
    // unanswered create can then be recognised, a create that could not go leaves no attempt
    // behind, and no create goes out beyond AMC's quotas.
    return amc.admit(execution.target())
        .chain(
            admission ->
                store
                    .markSubmitAttempt(owner, clock.instant(), execution)
                    .onFailure()
                    .invoke(() -> amc.release(admission))
                    .chain(
                        attempt -> {
                          if (attempt instanceof ExecutionStore.SubmitAttempt.Marked marked) {
                            ClaimedExecution attempted = execution.withVersion(marked.version());
                            current.set(attempted);
                            return sendCreate(admission, attempted);
                          }
                          amc.release(admission);
                          return Uni.createFrom().item(heldOrLost(execution, attempt));
                        }));
  }

  private static CheckOutcome heldOrLost(
      ClaimedExecution execution, ExecutionStore.SubmitAttempt attempt) {
    return attempt instanceof ExecutionStore.SubmitAttempt.Queued queued
        ? new CheckOutcome.Queued(execution, queued.hold())
        : new CheckOutcome.LostClaim(execution);
  }

  /** The execution carries the version written with the attempt, whatever the create answers. */
  private Uni<CheckOutcome> sendCreate(RemoteGate.Admission admission, ClaimedExecution execution) {
    return amc.createExecution(admission, execution.target(), execution.createRequest())
        .map(remote -> (CheckOutcome) new CheckOutcome.Submitted(execution, remote, false))
        .onFailure(failure -> QuotaRefusal.of(failure, execution.callerText()).isPresent())
        .recoverWithUni(failure -> queueAfterQuotaRefusal(execution, failure))
        .onFailure()
        .recoverWithItem(
            failure ->
                failure instanceof CallDeferred deferred
                    ? new CheckOutcome.CreateHeldBack(execution, deferred)
                    : new CheckOutcome.Failed(execution, failure));
  }

  /** AMC refused the create for a quota: nothing was made; the instance waits, and this with it. */
  private Uni<CheckOutcome> queueAfterQuotaRefusal(ClaimedExecution execution, Throwable refusal) {
    return store
        .queueAfterQuotaRefusal(
            owner,
            clock.instant(),
            execution,
            QuotaRefusal.of(refusal, execution.callerText()).orElseThrow())
        .map(attempt -> heldOrLost(execution, attempt));
  }
}
