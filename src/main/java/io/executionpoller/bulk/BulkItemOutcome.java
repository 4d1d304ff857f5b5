package io.executionpoller.bulk;

/** What became of one execution of a bulk job. */
public enum BulkItemOutcome {
  /** The action was applied, as the single action would have. */
  DONE,
  /**
   * Nothing to do any more: the single action refused it (409/404) because the execution had moved
   * on (finished, already cancelled or retried, deleted) since the job was confirmed.
   */
  SKIPPED,
  /** The action failed (AMC refused or could not be reached); the message says why. */
  FAILED
}
