package io.executionpoller.simulator;

/**
 * A wrong answer the simulator can give an AMC API call instead of the real one, in the shapes the
 * AMC notes (sections 4 and 5) report from the field. Except for {@link #LOST_CREATE} and {@link
 * #TRUNCATED}, the call has no effect: a create answered with a fault creates nothing.
 */
public enum Fault {
  /** 429 with {@code Retry-After: <n>} seconds and a {code,details} body (the documented shape). */
  THROTTLE_RETRY_AFTER,
  /**
   * 429 without Retry-After, body {@code {"message":"Too Many Requests"}} and {@code
   * amazon-advertising-api-throttled: true}, as the gateway answers in practice.
   */
  THROTTLE_MESSAGE,
  /** 429 without Retry-After, body {@code {"code":"429","details":"Rate exceeded"}}. */
  THROTTLE_CODE,
  /** 500 {@code {"code":"500","details":"Internal Server Error"}}. */
  ERROR_500,
  /** 502 {@code {"message":"Bad Gateway"}} from the gateway in front of AMC. */
  ERROR_502,
  /** 504 {@code {"message":"Endpoint request timed out"}} (the text AWSSOL waits on). */
  ERROR_504,
  /**
   * No answer at all. The server closes the connection after {@code hang-for} (default 5 minutes),
   * on reset(), or as soon as the client gives up, so an abandoned request leaks nothing.
   */
  HANG,
  /** The connection is closed without an answer (HTTP/2: the stream is reset). */
  RESET,
  /** 200 with an HTML error page instead of JSON, as a misbehaving proxy would send. */
  MALFORMED,
  /**
   * 200 with the first half of the real JSON body. A create is not committed (the body describes an
   * execution that does not exist) and a cancel is not applied.
   */
  TRUNCATED,
  /**
   * 401 {@code {"code":"401","details":"Authentication failed"}}, and the presented access token
   * stops working, so only a refreshed token gets through. Scripted only.
   */
  TOKEN_EXPIRED,
  /**
   * The call takes effect, then the connection is closed without an answer: on create the execution
   * exists although the client saw an error (the ambiguous create); on cancel the execution is
   * cancelled; on reads it behaves like {@link #RESET}. Scripted only.
   */
  LOST_CREATE,
  /**
   * 500 whose body holds NUL characters (raw and JSON-escaped) and bytes that are not UTF-8, as a
   * broken proxy or a binary error page would send. Scripted only.
   */
  ERROR_500_BINARY,
  /**
   * The call is held on its way, without effect, until a test lets it through ({@link
   * AmcSimulator#releaseHeldCalls()}): then it takes effect and is answered as usual. After {@code
   * hang-for}, on reset(), or when the client gives up, the connection closes and nothing was done.
   * Scripted only: it lets a test act between the sending of a call and its answer.
   */
  HELD
}
