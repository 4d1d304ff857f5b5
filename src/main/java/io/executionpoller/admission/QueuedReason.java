package io.executionpoller.admission;

/** Why a PENDING execution waits locally instead of being created at AMC. */
public enum QueuedReason {
  /** The instance has as many executions PENDING or RUNNING at AMC as it may (AMC: 10). */
  INSTANCE_CONCURRENCY,
  /** The account has as many executions PENDING or RUNNING at AMC as it may (AMC: 200). */
  ACCOUNT_CONCURRENCY,
  /** The instance has used its ad hoc creates of the current UTC day (AMC: 30). */
  DAILY_QUOTA
}
