package io.executionpoller.results;

import io.executionpoller.failure.ErrorType;
import io.executionpoller.results.parse.MalformedResultException;
import io.executionpoller.results.parse.ResultTooLargeException;
import java.util.regex.Pattern;

/**
 * Why a result download failed, already classified: the error type stored on the result, whether
 * another attempt may succeed, and whether fresh URLs are needed first. Messages name files by
 * their redacted URL only; a presigned URL's query string is a credential.
 */
final class DownloadFailure extends Exception {

  private final ErrorType type;
  private final boolean retryable;
  private final boolean renewUrls;

  private DownloadFailure(
      ErrorType type, boolean retryable, boolean renewUrls, String message, Throwable cause) {
    super(message, cause, false, false);
    this.type = type;
    this.retryable = retryable;
    this.renewUrls = renewUrls;
  }

  ErrorType type() {
    return type;
  }

  boolean retryable() {
    return retryable;
  }

  /** S3 refused a URL the way it refuses an expired one: ask AMC for fresh URLs and try again. */
  boolean renewUrls() {
    return renewUrls;
  }

  /** A query string in a message: a transport error may quote the request line it failed on. */
  private static final Pattern QUERY = Pattern.compile("\\?[^\\s\"']*");

  /** Connection refused or reset, no bytes for the idle timeout, TLS: worth another try. */
  static DownloadFailure transport(String redactedUrl, Throwable cause) {
    String what = cause == null ? "unknown" : cause.getClass().getSimpleName();
    String detail =
        cause == null || cause.getMessage() == null
            ? ""
            : ": " + withoutQueries(cause.getMessage());
    return new DownloadFailure(
        ErrorType.NETWORK_ERROR,
        true,
        false,
        "transfer of " + redactedUrl + " failed (" + what + detail + ")",
        // Not the cause itself: Vert.x quotes the signed request URI in some messages, and a
        // logged stack trace would print it.
        null);
  }

  /**
   * Drops every query string from a message: presigned URLs carry their signature there, and Vert.x
   * quotes the request URI in some errors (a timeout names "GET /key?X-Amz-...").
   */
  static String withoutQueries(String message) {
    return QUERY.matcher(message).replaceAll("?<redacted>");
  }

  /** The body ended before the length S3 announced. */
  static DownloadFailure truncated(String redactedUrl, long received, long announced) {
    return new DownloadFailure(
        ErrorType.NETWORK_ERROR,
        true,
        false,
        "transfer of " + redactedUrl + " ended after " + received + " of " + announced + " bytes",
        null);
  }

  /** S3 answered with something other than 200. */
  static DownloadFailure refused(String redactedUrl, int status) {
    String prefix = redactedUrl + " answered HTTP " + status;
    if (status == 403 || status == 404) {
      // S3's answer to an expired presigned URL is 403 AccessDenied; fresh URLs may fix it.
      return new DownloadFailure(
          ErrorType.PERMISSION_ERROR, true, true, prefix + " (expired or refused URL)", null);
    }
    if (status >= 300 && status < 400) {
      return new DownloadFailure(
          ErrorType.PERMISSION_ERROR, false, false, prefix + " (redirects are not followed)", null);
    }
    if (status == 429 || status == 503 || status >= 500) {
      return new DownloadFailure(ErrorType.RESOURCE_ERROR, true, false, prefix, null);
    }
    return new DownloadFailure(ErrorType.UNKNOWN_ERROR, false, false, prefix, null);
  }

  /** The URL is not one this daemon may fetch (host not allowed, or not https). */
  static DownloadFailure notAllowed(String redactedUrl, String why) {
    return new DownloadFailure(
        ErrorType.PERMISSION_ERROR, false, false, "download URL " + redactedUrl + " " + why, null);
  }

  /** The file's content is not valid CSV or JSON; the same bytes will not parse next time. */
  static DownloadFailure malformed(MalformedResultException cause) {
    return new DownloadFailure(
        ErrorType.AMC_API_ERROR, false, false, "malformed result: " + cause.getMessage(), cause);
  }

  /** The result exceeds a configured limit. */
  static DownloadFailure tooLarge(ResultTooLargeException cause) {
    return new DownloadFailure(
        ErrorType.RESOURCE_ERROR, false, false, "result refused: " + cause.getMessage(), cause);
  }

  /** The files of one result disagree on their columns. */
  static DownloadFailure inconsistentColumns(String fileName) {
    return new DownloadFailure(
        ErrorType.AMC_API_ERROR,
        false,
        false,
        "malformed result: " + fileName + " has other columns than the first file",
        null);
  }

  /** AMC has no download URLs yet ("unavailable for download"); it says to wait and retry. */
  static DownloadFailure notReady(String message) {
    return new DownloadFailure(
        ErrorType.RESOURCE_ERROR, true, false, "results not available yet: " + message, null);
  }

  /** A failed AMC call (download URLs), classified by the daemon's error classifier. */
  static DownloadFailure remote(
      ErrorType type, boolean retryable, String message, Throwable cause) {
    return new DownloadFailure(type, retryable, false, message, cause);
  }

  /** The database failed while storing; the result itself may be fine. */
  static DownloadFailure store(Throwable cause) {
    return new DownloadFailure(
        ErrorType.UNKNOWN_ERROR,
        true,
        false,
        "storing the result failed: " + cause.getMessage(),
        cause);
  }

  /**
   * A bug, an unforeseen state or an Error (out of memory, stack overflow); retried in case it was
   * transient, and logged in full.
   */
  static DownloadFailure unexpected(Throwable cause) {
    return new DownloadFailure(
        ErrorType.UNKNOWN_ERROR,
        true,
        false,
        "unexpected error: " + withoutQueries(cause.toString()),
        cause);
  }

  /** The attempt ran past its deadline. */
  static DownloadFailure deadline(String what) {
    return new DownloadFailure(
        ErrorType.NETWORK_ERROR,
        true,
        false,
        "download attempt exceeded its deadline: " + what,
        null);
  }
}
