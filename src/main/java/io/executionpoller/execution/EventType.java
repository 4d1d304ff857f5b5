package io.executionpoller.execution;

/** Kinds of entries in the append-only execution_events audit. */
public enum EventType {
  /** The execution was registered with the daemon. */
  REGISTERED,
  /** The create call was accepted by AMC; the event carries the remote id. */
  SUBMITTED,
  /** A local status transition was applied. */
  TRANSITION,
  /** An observed remote status asked for a forbidden transition; nothing was applied. */
  TRANSITION_REJECTED,
  /** AMC answered a status this daemon does not know; nothing was applied. */
  UNKNOWN_REMOTE_STATUS,
  /** A status check or a submission failed; the execution kept its status. */
  CHECK_FAILED,
  /** A check passed its hard deadline and was abandoned. */
  CHECK_ABANDONED,
  /**
   * The remote execution failed, or its create was refused, for a retryable reason: the execution
   * went back to PENDING to be submitted again. The event keeps the old remote id.
   */
  RETRY,
  /** The execution has been RUNNING past its warning threshold (recorded once per attempt). */
  LONG_EXECUTION,
  /**
   * The remote execution was cancelled: after a TIMEOUT (poller.timeout.cancel-remote) or by an
   * operator (POST /executions/{id}/cancel; the message names the caller).
   */
  REMOTE_CANCELLED,
  /** Cancelling the remote execution failed; the message says why. Nothing else changed. */
  REMOTE_CANCEL_FAILED,
  /**
   * AMC answered a create after the execution had moved on (cancelled, finished, or tracking
   * another run), so nothing would track the run it made: it was cancelled at AMC. The event
   * carries its id.
   */
  REMOTE_ORPHAN_CANCELLED,
  /** An operator asked for a check now (POST /executions/{id}/poll). */
  POLL_REQUESTED,
  /** An operator ran this finished execution again; the message names the new execution. */
  RETRIED,
  /** The result was downloaded and stored; the message gives files, rows and bytes. */
  RESULT_STORED,
  /** A result download attempt failed and will be tried again; the message says why. */
  RESULT_RETRY,
  /** The result download failed for good (not retryable, or attempts used up). */
  RESULT_FAILED,
  /** AMC delivers no result to download (its DOWNLOAD channel); the message gives AMC's reason. */
  RESULT_UNDELIVERABLE,
  /**
   * The execution showed up in the stuck list for a reason for the first time; the message names
   * the reason and says why.
   */
  STUCK
}
