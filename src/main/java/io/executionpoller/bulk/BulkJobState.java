package io.executionpoller.bulk;

/** Where a bulk job stands. */
public enum BulkJobState {
  /** Confirmed; no item worked yet. */
  QUEUED,
  /** A worker has begun its items. */
  RUNNING,
  /** Every item was worked (done, skipped or failed). */
  DONE,
  /** An operator stopped it; items not worked yet stay as they were. */
  CANCELLED
}
