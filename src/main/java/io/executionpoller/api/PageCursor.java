package io.executionpoller.api;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

/**
 * Where the next page of a newest-first list starts: the creation time and id of the last item
 * returned. Opaque to clients (base64url); a cursor that does not decode is a 400, never a query.
 */
public record PageCursor(Instant createdAt, UUID id) {

  public String encode() {
    long micros = createdAt.getEpochSecond() * 1_000_000L + createdAt.getNano() / 1_000;
    String plain = micros + ":" + id;
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(plain.getBytes(StandardCharsets.US_ASCII));
  }

  /** The cursor in {@code value}; null when absent. */
  public static PageCursor decode(String value) {
    if (value == null || value.isEmpty()) {
      return null;
    }
    try {
      if (value.length() > 100) {
        throw new IllegalArgumentException("too long");
      }
      String plain = new String(Base64.getUrlDecoder().decode(value), StandardCharsets.US_ASCII);
      int colon = plain.indexOf(':');
      long micros = Long.parseLong(plain.substring(0, colon));
      UUID id = UUID.fromString(plain.substring(colon + 1));
      Instant createdAt =
          Instant.ofEpochSecond(
              Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
      return new PageCursor(createdAt, id);
    } catch (RuntimeException e) {
      throw ApiProblem.badRequest("cursor is not one this API returned");
    }
  }
}
