package io.executionpoller.results.parse;

import java.io.IOException;

/**
 * A result file whose content cannot be read as the format it claims to be. It is an {@link
 * IOException} so that readers can throw it from the same methods that report transport failures,
 * but callers should treat it as permanent: fetching the same bytes again will not help.
 */
public final class MalformedResultException extends IOException {

  private static final long serialVersionUID = 1L;

  private final String fileName;
  private final long line;

  /**
   * @param fileName the file the content came from, for the operator reading the message
   * @param line the 1-based line where the problem was found, or 0 when the problem is not tied to
   *     a line (for example corrupt compression)
   * @param detail what is wrong, without the file name or line
   */
  public MalformedResultException(String fileName, long line, String detail) {
    this(fileName, line, detail, null);
  }

  public MalformedResultException(String fileName, long line, String detail, Throwable cause) {
    super(format(fileName, line, detail), cause);
    this.fileName = fileName;
    this.line = line;
  }

  public String fileName() {
    return fileName;
  }

  public long line() {
    return line;
  }

  private static String format(String fileName, long line, String detail) {
    // "line 0" would read as a real position, so errors not tied to a line leave it out.
    return line > 0 ? fileName + " line " + line + ": " + detail : fileName + ": " + detail;
  }
}
