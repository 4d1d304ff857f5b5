package io.executionpoller.bulk;

import io.executionpoller.api.ApiProblem;
import io.executionpoller.db.StoredText;

/**
 * An operator's reason for a bulk action: required, bounded, on one line (it is written into every
 * execution's event and shown on pages and in logs, where a line break could forge another line).
 */
final class BulkReason {

  private BulkReason() {}

  /** The reason as stored; a 422 when it is missing, blank or too long. */
  static String of(String raw, int maxLength) {
    if (raw == null || raw.isBlank()) {
      throw new ApiProblem(422, "reason is required: say why, in a few words");
    }
    String oneLine = raw.replaceAll("[\\p{Cc}\\p{Zl}\\p{Zp}]+", " ").strip();
    if (oneLine.isEmpty()) {
      throw new ApiProblem(422, "reason is required: say why, in a few words");
    }
    if (oneLine.length() > maxLength) {
      throw new ApiProblem(422, "reason must be at most " + maxLength + " characters");
    }
    return StoredText.of(oneLine);
  }
}
