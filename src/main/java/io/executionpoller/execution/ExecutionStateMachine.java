package io.executionpoller.execution;

import java.util.List;

/**
 * The validated lifecycle of an execution. Pure: it decides and returns, the poll cycle persists.
 *
 * <p>Valid transitions: PENDING->RUNNING|FAILED|CANCELLED;
 * RUNNING->SUCCESS|FAILED|TIMEOUT|CANCELLED; terminal statuses have none. RUNNING->CANCELLED goes
 * beyond the original specification's table (ADR 0001). Besides these, RETRY takes an active
 * execution (PENDING or RUNNING) back to PENDING for resubmission; see {@link #canRetry}.
 */
public final class ExecutionStateMachine {

  private ExecutionStateMachine() {}

  public static boolean isAllowed(ExecutionStatus from, ExecutionStatus to) {
    return switch (from) {
      case PENDING ->
          to == ExecutionStatus.RUNNING
              || to == ExecutionStatus.FAILED
              || to == ExecutionStatus.CANCELLED;
      case RUNNING ->
          to == ExecutionStatus.SUCCESS
              || to == ExecutionStatus.FAILED
              || to == ExecutionStatus.TIMEOUT
              || to == ExecutionStatus.CANCELLED;
      case SUCCESS, FAILED, CANCELLED, TIMEOUT -> false;
    };
  }

  /**
   * Whether an execution in {@code from} may go back to PENDING to be resubmitted (the RETRY
   * transition): only while it is still active. A terminal execution is never revived.
   */
  public static boolean canRetry(ExecutionStatus from) {
    return from == ExecutionStatus.PENDING || from == ExecutionStatus.RUNNING;
  }

  /** Decides what an observed remote status means for an execution currently in {@code current}. */
  public static Decision decide(ExecutionStatus current, String remoteStatus) {
    return RemoteStatusMapping.toLocal(remoteStatus)
        .map(target -> decide(current, target))
        .orElseGet(() -> new Decision.UnknownRemoteStatus(remoteStatus));
  }

  /** Decides the path from {@code current} to a wanted local status. */
  public static Decision decide(ExecutionStatus current, ExecutionStatus target) {
    if (current == target) {
      return new Decision.Unchanged();
    }
    if (isAllowed(current, target)) {
      return new Decision.Advance(List.of(new Transition(current, target)));
    }
    // The remote finished between two checks while we still saw PENDING: the execution did run,
    // so walk through RUNNING rather than leave it PENDING forever.
    if (current == ExecutionStatus.PENDING
        && isAllowed(ExecutionStatus.RUNNING, target)
        && target != ExecutionStatus.TIMEOUT) {
      return new Decision.Advance(
          List.of(
              new Transition(ExecutionStatus.PENDING, ExecutionStatus.RUNNING),
              new Transition(ExecutionStatus.RUNNING, target)));
    }
    return new Decision.Rejected(new Transition(current, target));
  }
}
