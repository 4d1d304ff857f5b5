package io.executionpoller.results.parse;

/**
 * The two characters that vary between CSV dialects. Line breaks are fixed (CRLF, LF or CR), so
 * neither character may be one.
 */
public record CsvFormat(char separator, char quote) {

  public static final CsvFormat RFC4180 = new CsvFormat(',', '"');

  public CsvFormat {
    if (separator == quote) {
      throw new IllegalArgumentException("separator and quote must differ");
    }
    if (isLineBreak(separator) || isLineBreak(quote)) {
      throw new IllegalArgumentException("separator and quote must not be CR or LF");
    }
  }

  private static boolean isLineBreak(char c) {
    return c == '\r' || c == '\n';
  }
}
