package io.executionpoller.failure;

/**
 * What is known about one failure, certain facts first.
 *
 * @param transport what the transport saw, or {@link Transport#NONE} when an HTTP answer came
 * @param httpStatus HTTP status of the answer, 0 when there was none
 * @param operation the call that failed (CREATE for a submission, CHECK otherwise)
 * @param text the error body, or the statusReason of a FAILED execution
 */
public record FailureFacts(Transport transport, int httpStatus, Operation operation, String text) {

  /** Transport-level failure kinds. */
  public enum Transport {
    NONE,
    CONNECTION,
    TIMEOUT,
    MALFORMED,
    NOT_CONFIGURED,
    /** The call was refused here: its base URL is not an allowed AMC endpoint. */
    ENDPOINT_REFUSED,
    UNEXPECTED
  }

  /** Which call failed; a refused create says something about the query, a refused check not. */
  public enum Operation {
    CREATE,
    CHECK,
    TOKEN,
    REMOTE_EXECUTION
  }

  /** A remote execution that ended FAILED or REJECTED with this statusReason. */
  public static FailureFacts remoteFailure(String statusReason) {
    return new FailureFacts(Transport.NONE, 0, Operation.REMOTE_EXECUTION, statusReason);
  }
}
