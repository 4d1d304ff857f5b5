package io.executionpoller.simulator;

import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Base64;

/**
 * The nextToken values of list and downloadUrls answers: opaque to clients, inside they name where
 * the previous page ended. A token that does not decode is a {@link BadRequest}.
 */
final class PageTokens {

  private static final String LIST_PREFIX = "v1:";
  private static final String URL_PREFIX = "u1:";

  private PageTokens() {}

  static String listToken(RemoteExecutions.Cursor cursor) {
    return encode(
        LIST_PREFIX
            + cursor.createdAt().getEpochSecond()
            + ":"
            + cursor.createdAt().getNano()
            + ":"
            + cursor.sequence());
  }

  /** The cursor a list token names; null for no token. */
  static RemoteExecutions.Cursor cursor(String token) {
    if (token == null) {
      return null;
    }
    try {
      String plain = decode(token);
      if (plain.startsWith(LIST_PREFIX)) {
        String[] parts = plain.substring(LIST_PREFIX.length()).split(":");
        if (parts.length == 3) {
          return new RemoteExecutions.Cursor(
              Instant.ofEpochSecond(Long.parseLong(parts[0]), Long.parseLong(parts[1])),
              Long.parseLong(parts[2]));
        }
      }
    } catch (IllegalArgumentException | DateTimeException e) {
      // Refused below.
    }
    throw new BadRequest("Invalid nextToken");
  }

  /**
   * A downloadUrls nextToken names the execution and the first file of the next page, so a token
   * cannot page through another execution's files.
   */
  static String urlPageToken(String executionId, int first) {
    return encode(URL_PREFIX + executionId + ":" + first);
  }

  /** The first file of the page a downloadUrls token names; 0 for no token. */
  static int urlPageStart(String token, String executionId, int files) {
    if (token == null) {
      return 0;
    }
    try {
      String plain = decode(token);
      String expected = URL_PREFIX + executionId + ":";
      if (plain.startsWith(expected)) {
        int first = Integer.parseInt(plain.substring(expected.length()));
        if (first > 0 && first < files) {
          return first;
        }
      }
    } catch (IllegalArgumentException e) {
      // Refused below.
    }
    throw new BadRequest("Invalid nextToken");
  }

  private static String encode(String plain) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(plain.getBytes(StandardCharsets.UTF_8));
  }

  private static String decode(String token) {
    return new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
  }
}
