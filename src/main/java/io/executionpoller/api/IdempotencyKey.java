package io.executionpoller.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The Idempotency-Key header of POST /executions (IETF httpapi draft "The Idempotency-Key HTTP
 * Header Field") and the digest of the request it came with. The draft makes the value a
 * structured-field string ({@code "..."}); a bare token is accepted as well.
 *
 * @param value the key, without quotes
 * @param requestDigest SHA-256 of the request in a canonical form (fields and map entries in sorted
 *     order), so the same request always has the same digest however its JSON was spelled
 */
record IdempotencyKey(String value, String requestDigest) {

  private static final int MAX_LENGTH = 255;

  /**
   * How both registrations (one execution, a batch) take keys: a new key is stored; a used one is
   * taken over only once its earlier use has expired, and otherwise left as it is (the caller then
   * reads the earlier use). {@code %s} is the rows to take, as {@code (idempotency_key,
   * request_digest, execution_id, created_at, expires_at)}; the caller adds its RETURNING.
   */
  static final String TAKE =
      """
      INSERT INTO execution_idempotency_keys AS k
             (idempotency_key, request_digest, execution_id, created_at, expires_at)
      %s
      ON CONFLICT (idempotency_key) DO UPDATE
         SET request_digest = EXCLUDED.request_digest, execution_id = EXCLUDED.execution_id,
             created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
       WHERE k.expires_at <= EXCLUDED.created_at
      """;

  private static final ObjectMapper CANONICAL =
      JsonMapper.builder()
          .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .build();

  /** The key of this request, or null without the header; 400 for a malformed one. */
  static IdempotencyKey of(String header, ExecutionRegistration request) {
    if (header == null) {
      return null;
    }
    String value = header.strip();
    if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
      value = value.substring(1, value.length() - 1);
    }
    if (value.isEmpty() || value.length() > MAX_LENGTH || !printableWithoutQuotes(value)) {
      throw ApiProblem.badRequest(
          "Idempotency-Key must be a quoted string of 1-255 printable ASCII characters");
    }
    return new IdempotencyKey(value, digest(request));
  }

  static String digest(ExecutionRegistration request) {
    try {
      byte[] canonical = CANONICAL.writeValueAsBytes(request);
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a registration always serializes", e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM lacks SHA-256", e);
    }
  }

  /** The characters of a structured-field string, less the escapes (no quote, no backslash). */
  private static boolean printableWithoutQuotes(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
        return false;
      }
    }
    return true;
  }
}
