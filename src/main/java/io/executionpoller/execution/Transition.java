package io.executionpoller.execution;

/** One step of the state machine, from one local status to another. */
public record Transition(ExecutionStatus from, ExecutionStatus to) {

  @Override
  public String toString() {
    return from + "->" + to;
  }
}
