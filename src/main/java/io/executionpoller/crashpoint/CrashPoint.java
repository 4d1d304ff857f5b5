package io.executionpoller.crashpoint;

/**
 * Named places where the process tests (src/test/java/io/executionpoller/process) kill the daemon
 * with SIGKILL, each just after or before a step whose loss or repetition would show: a crash there
 * must lose nothing and repeat nothing once another process carries on.
 */
public enum CrashPoint {
  /** Due executions were leased to this replica; nothing was checked yet. */
  AFTER_CLAIM,
  /** AMC answered a status check; nothing of the answer was written yet. */
  AFTER_REMOTE_STATUS,
  /** A status transition and its events were committed; the cycle has not carried on. */
  AFTER_TRANSITION_WRITE,
  /** A result download has sent rows and bytes into its COPY; the transfer is half way. */
  MID_RESULT_DOWNLOAD,
  /** A result is written whole and marked STORED inside its transaction, not yet committed. */
  BEFORE_RESULT_COMMIT,
  /** A webhook receiver answered a delivery; nothing of the answer was written yet. */
  AFTER_WEBHOOK_SENT
}
