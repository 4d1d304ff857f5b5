package io.executionpoller.remote;

import java.util.Optional;

/**
 * A remote call that did not produce a usable answer. It carries what is certain (the kind, the
 * HTTP status, Retry-After) for the error classifier, and a short body excerpt. It never carries
 * request headers, tokens or URLs with query strings.
 */
public final class RemoteCallException extends RuntimeException {

  /** What went wrong, as far as the transport can tell. */
  public enum Kind {
    /** AMC or the token endpoint answered with a non-2xx status. */
    HTTP_STATUS,
    /** No answer within the deadline. */
    TIMEOUT,
    /** Connection refused, reset, DNS or TLS failure. */
    CONNECTION,
    /** A 2xx answer that could not be read. */
    MALFORMED_RESPONSE,
    /** Credentials are not configured. */
    NOT_CONFIGURED,
    /** The API base URL is not on poller.amc.allowed-api-hosts (or not https): nothing was sent. */
    ENDPOINT_REFUSED,
    /** Anything else: a failure the transport cannot explain. */
    UNEXPECTED
  }

  private static final int BODY_EXCERPT = 500;

  private final String operation;
  private final Kind kind;
  private final int httpStatus;
  private final String body;
  private final String retryAfter;

  public RemoteCallException(
      String operation,
      Kind kind,
      int httpStatus,
      String body,
      String retryAfter,
      Throwable cause) {
    super(describe(operation, kind, httpStatus, body), cause);
    this.operation = operation;
    this.kind = kind;
    this.httpStatus = httpStatus;
    this.body = excerpt(body);
    this.retryAfter = retryAfter;
  }

  public static RemoteCallException of(
      String operation, Kind kind, String detail, Throwable cause) {
    return new RemoteCallException(operation, kind, 0, detail, null, cause);
  }

  public String operation() {
    return operation;
  }

  public Kind kind() {
    return kind;
  }

  /** The HTTP status, or 0 when there was no HTTP answer. */
  public int httpStatus() {
    return httpStatus;
  }

  /** A short excerpt of the response body or failure detail (never request data). */
  public String body() {
    return body;
  }

  /** The raw Retry-After header, when the remote sent one. */
  public Optional<String> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  /**
   * The remote as a whole looks unwell: a 5xx, no answer in time, or a broken connection. These
   * open circuit breakers; a 4xx, however unwelcome, is an answer from a working service.
   */
  public boolean isOutage() {
    return kind == Kind.TIMEOUT
        || kind == Kind.CONNECTION
        || (kind == Kind.HTTP_STATUS && httpStatus >= 500);
  }

  /**
   * Worth repeating at once for a read: an outage, or a body that arrived unreadable (truncated
   * answers are usually a one-off). Never a 429: that one says when to come back.
   */
  public boolean isTransient() {
    return isOutage() || kind == Kind.MALFORMED_RESPONSE;
  }

  /** The remote answered definitively (4xx except 401, 408 and 429): the request was refused. */
  public boolean isRefusal() {
    return kind == Kind.HTTP_STATUS
        && httpStatus >= 400
        && httpStatus < 500
        && httpStatus != 401
        && httpStatus != 408
        && httpStatus != 429;
  }

  private static String describe(String operation, Kind kind, int httpStatus, String body) {
    String status = httpStatus > 0 ? " HTTP " + httpStatus : "";
    String detail = body == null || body.isBlank() ? "" : ": " + excerpt(body);
    return operation + " failed (" + kind + status + ")" + detail;
  }

  private static String excerpt(String text) {
    if (text == null) {
      return null;
    }
    String oneLine = text.replaceAll("\\s+", " ").trim();
    return oneLine.length() <= BODY_EXCERPT ? oneLine : oneLine.substring(0, BODY_EXCERPT) + "...";
  }
}
