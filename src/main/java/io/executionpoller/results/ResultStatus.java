package io.executionpoller.results;

/** Where the download step of one succeeded execution stands. */
public enum ResultStatus {
  /** Waiting for its first or next attempt. */
  PENDING,
  /** An attempt holds the lease (or held it and crashed; the lease expiry frees it). */
  DOWNLOADING,
  /** Stored whole; served by every replica. */
  STORED,
  /** Failed for good: not retryable, or attempts used up. The error says why. */
  FAILED
}
