package io.executionpoller.results.parse;

import java.util.Locale;

/** The record formats a result file can have. */
public enum ResultFormat {
  CSV,
  JSON;

  private static final String[] JSON_SUFFIXES = {".json", ".ndjson", ".jsonl"};

  /**
   * Chooses the format from the response content type and the file's path. Either one saying JSON
   * is enough, because object stores often serve everything as application/octet-stream and some
   * exporters name files without a suffix; CSV is the fallback since it is AMC's default output.
   *
   * @param contentType the Content-Type header value, possibly with parameters, or null
   * @param path the file's path or URL, possibly with a query string (presigned URLs), or null
   */
  public static ResultFormat detect(String contentType, String path) {
    return isJsonContentType(contentType) || isJsonPath(path) ? JSON : CSV;
  }

  private static boolean isJsonContentType(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semicolon = contentType.indexOf(';');
    String mediaType =
        (semicolon >= 0 ? contentType.substring(0, semicolon) : contentType)
            .trim()
            .toLowerCase(Locale.ROOT);
    return mediaType.equals("application/json")
        || mediaType.equals("application/x-ndjson")
        || mediaType.startsWith("application/jsonl");
  }

  private static boolean isJsonPath(String path) {
    if (path == null) {
      return false;
    }
    String p = path;
    // The query of a presigned URL ends in a signature, never in the file's suffix.
    int cut = indexOfAny(p, '?', '#');
    if (cut >= 0) {
      p = p.substring(0, cut);
    }
    p = p.toLowerCase(Locale.ROOT);
    if (p.endsWith(".gz")) {
      p = p.substring(0, p.length() - ".gz".length());
    }
    for (String suffix : JSON_SUFFIXES) {
      if (p.endsWith(suffix)) {
        return true;
      }
    }
    return false;
  }

  private static int indexOfAny(String s, char a, char b) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == a || c == b) {
        return i;
      }
    }
    return -1;
  }
}
