package io.executionpoller.execution;

/** Local status of a tracked execution. Terminal statuses are final. */
public enum ExecutionStatus {
  /** Registered or submitted to AMC, not started yet (queued, waiting for data or a slot). */
  PENDING(false),
  /** Running in AMC (includes AMC's PUBLISHING phase). */
  RUNNING(false),
  /** Finished successfully in AMC. */
  SUCCESS(true),
  /** Failed in AMC, was rejected, or could not be checked or submitted. */
  FAILED(true),
  /** Cancelled in AMC, by an operator or by the daemon. */
  CANCELLED(true),
  /** Ran longer than its allowed runtime. */
  TIMEOUT(true);

  private final boolean terminal;

  ExecutionStatus(boolean terminal) {
    this.terminal = terminal;
  }

  public boolean isTerminal() {
    return terminal;
  }
}
