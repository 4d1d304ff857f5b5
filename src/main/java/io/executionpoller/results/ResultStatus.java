package io.executionpoller.results;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/** Where the download step of one succeeded execution stands. */
public enum ResultStatus {
  /** Waiting for its first or next attempt. */
  PENDING,
  /** An attempt holds the lease (or held it and crashed; the lease expiry frees it). */
  DOWNLOADING,
  /** Stored whole; served by every replica. */
  STORED,
  /** Failed for good: not retryable, or attempts used up. The error says why. */
  FAILED,
  /**
   * AMC delivers nothing to download: the DOWNLOAD channel is UNAVAILABLE or FAILED, or there is
   * none. Ends at once, never retried; the error gives AMC's reason.
   */
  UNDELIVERABLE;

  /**
   * A download still has to store these: due for an attempt, or in one whose lease may expire. The
   * claim's partial index (V5) covers exactly these statuses.
   */
  public static final Set<ResultStatus> WAITING =
      Collections.unmodifiableSet(EnumSet.of(PENDING, DOWNLOADING));

  /** The names of {@code statuses} as one text-array parameter ({@code status = ANY(?)}). */
  public static String[] names(Set<ResultStatus> statuses) {
    return statuses.stream().map(Enum::name).sorted().toArray(String[]::new);
  }
}
