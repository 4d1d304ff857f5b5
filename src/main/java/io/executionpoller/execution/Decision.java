package io.executionpoller.execution;

import java.util.List;

/** What the state machine decided about one observation of the remote status. */
public sealed interface Decision {

  /** The remote status maps to the current local status: nothing to apply. */
  record Unchanged() implements Decision {}

  /**
   * Apply these steps in order. More than one step when the remote moved past a state between two
   * checks (PENDING then SUCCEEDED is applied as PENDING->RUNNING->SUCCESS).
   */
  record Advance(List<Transition> steps) implements Decision {
    public Advance {
      if (steps.isEmpty()) {
        throw new IllegalArgumentException("an advance needs at least one step");
      }
      steps = List.copyOf(steps);
    }

    public ExecutionStatus target() {
      return steps.get(steps.size() - 1).to();
    }
  }

  /** The observation asks for a transition the state machine forbids; record it, apply nothing. */
  record Rejected(Transition attempted) implements Decision {}

  /** The remote answered a status this daemon does not know; record it, apply nothing. */
  record UnknownRemoteStatus(String remoteStatus) implements Decision {}
}
