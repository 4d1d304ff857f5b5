package io.executionpoller.results.parse;

import java.io.IOException;

/**
 * A result file that tripped one of the size guards of {@link ContentStream}. The message names the
 * guard; {@link #limit()} is the configured value that was exceeded (bytes, or the expansion ratio
 * for the decompression-bomb guard).
 */
public final class ResultTooLargeException extends IOException {

  private static final long serialVersionUID = 1L;

  private final long limit;

  public ResultTooLargeException(String message, long limit) {
    super(message);
    this.limit = limit;
  }

  public long limit() {
    return limit;
  }
}
