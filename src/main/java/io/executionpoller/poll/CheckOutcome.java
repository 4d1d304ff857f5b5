package io.executionpoller.poll;

import io.executionpoller.admission.Hold;
import io.executionpoller.remote.CallDeferred;
import io.executionpoller.remote.RemoteExecution;

/** What one check of one claimed execution found. Observed before anything is decided. */
sealed interface CheckOutcome {

  ClaimedExecution execution();

  /** AMC answered a status check. */
  record Observed(ClaimedExecution execution, RemoteExecution remote) implements CheckOutcome {}

  /**
   * AMC accepted a create call; {@code remote} is its answer. {@code adopted}: the create had gone
   * unanswered and {@code remote} was found by listing the workflow's executions instead.
   */
  record Submitted(ClaimedExecution execution, RemoteExecution remote, boolean adopted)
      implements CheckOutcome {}

  /** The check or submission failed; the execution keeps its status. */
  record Failed(ClaimedExecution execution, Throwable failure) implements CheckOutcome {}

  /**
   * The create was held back before it was sent (breaker, rate limit, credentials), after its
   * attempt had been recorded: the attempt must be forgotten, or the next try would go looking for
   * an execution that was never created.
   */
  record CreateHeldBack(ClaimedExecution execution, CallDeferred deferred)
      implements CheckOutcome {}

  /**
   * The lease would end before the check's deadline (the batch waited behind a slow remote): the
   * check was not started, so that nobody checks the execution without holding its lease.
   */
  record LeaseTooShort(ClaimedExecution execution) implements CheckOutcome {}

  /**
   * Admission held the create back (AMC's quotas, counted in the database, or AMC's own quota
   * answer); the row is already written as queued with its reason, so nothing more is written.
   */
  record Queued(ClaimedExecution execution, Hold hold) implements CheckOutcome {}

  /** The claim was no longer ours when we tried to act on it; nothing is written. */
  record LostClaim(ClaimedExecution execution) implements CheckOutcome {}
}
