package io.executionpoller.api;

/**
 * AMC's verdict on a workflow's create, asked with {@code dryRun: true} (validated, not run, no
 * quota spent): valid, or the classified error with AMC's own text.
 */
public record ValidationVerdict(boolean valid, String errorType, int httpStatus, String message) {

  static ValidationVerdict accepted() {
    return new ValidationVerdict(true, null, 200, null);
  }
}
