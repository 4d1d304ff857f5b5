package io.executionpoller.failure;

/**
 * The eight error types every failure is classified into, stored in workflow_executions.error_type.
 */
public enum ErrorType {
  /** AMC answered with a server error or an unreadable body. */
  AMC_API_ERROR(true),
  /** The execution exceeded its time limit. */
  TIMEOUT_ERROR(false),
  /** Credentials missing, invalid or expired beyond a refresh. */
  AUTHENTICATION_ERROR(false),
  /** Authenticated, but not allowed to reach the instance or resource. */
  PERMISSION_ERROR(false),
  /** The SQL is wrong: syntax or semantic errors. */
  QUERY_ERROR(false),
  /** Throttling, quotas, concurrency limits or overlapping-input rejections. */
  RESOURCE_ERROR(true),
  /** Connection refused or reset, DNS, TLS, or no answer in time. */
  NETWORK_ERROR(true),
  /** Nothing certain could be said. */
  UNKNOWN_ERROR(false);

  private final boolean resubmittable;

  ErrorType(boolean resubmittable) {
    this.resubmittable = resubmittable;
  }

  /** Whether a remote execution that failed this way deserves a new attempt. */
  public boolean isResubmittable() {
    return resubmittable;
  }
}
