package io.executionpoller.stuck;

/** Why an execution is listed as stuck; one execution may be listed for several reasons. */
public enum StuckReason {
  /** PENDING longer than poller.stuck.pending-after since registration. */
  PENDING_TOO_LONG,
  /** RUNNING longer than poller.stuck.running-after since it started. */
  RUNNING_TOO_LONG,
  /** Still PENDING after AMC's expireTime for it has passed. */
  PAST_REMOTE_EXPIRY,
  /** Claimed by a replica whose lease expired without the row moving on (a dead or hung owner). */
  LEASE_EXPIRED,
  /** Due for poller.stuck.overdue-intervals poll intervals and not checked (no replica polling). */
  CHECK_OVERDUE,
  /** poller.stuck.failing-checks or more failed checks in a row. */
  FAILING_CHECKS,
  /** Succeeded, but its result download failed for good. */
  RESULT_FAILED,
  /** Succeeded, but its result is not stored poller.stuck.result-pending-after later. */
  RESULT_PENDING_TOO_LONG
}
