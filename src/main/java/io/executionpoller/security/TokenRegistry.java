package io.executionpoller.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The configured admin tokens, kept only as SHA-256 digests. A presented token is hashed and
 * compared with every digest in constant time, so neither the comparison nor the position of a
 * match tells an attacker anything about a token.
 */
public final class TokenRegistry {

  static final int MIN_PLAIN_LENGTH = 16;
  private static final String HASH_PREFIX = "sha256:";
  private static final Pattern HEX_DIGEST = Pattern.compile("[0-9a-fA-F]{64}");

  private record Entry(byte[] digest, Role role) {}

  private final List<Entry> entries;

  private TokenRegistry(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /**
   * Parses the configured entries. A malformed entry fails with a message that names its role and
   * position but never its text.
   */
  public static TokenRegistry of(List<String> viewerTokens, List<String> operatorTokens) {
    List<Entry> entries = new ArrayList<>();
    add(entries, viewerTokens, Role.VIEWER);
    add(entries, operatorTokens, Role.OPERATOR);
    return new TokenRegistry(entries);
  }

  private static void add(List<Entry> entries, List<String> tokens, Role role) {
    for (int i = 0; i < tokens.size(); i++) {
      String token = tokens.get(i).strip();
      String where = role.name().toLowerCase() + " token #" + (i + 1);
      if (token.startsWith(HASH_PREFIX)) {
        String hex = token.substring(HASH_PREFIX.length());
        if (!HEX_DIGEST.matcher(hex).matches()) {
          throw new IllegalArgumentException(
              where + " starts with sha256: but is not followed by 64 hex digits");
        }
        entries.add(new Entry(HexFormat.of().parseHex(hex.toLowerCase()), role));
      } else if (token.length() < MIN_PLAIN_LENGTH) {
        throw new IllegalArgumentException(
            where + " is shorter than " + MIN_PLAIN_LENGTH + " characters");
      } else {
        entries.add(new Entry(sha256(token), role));
      }
    }
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }

  /** The caller a presented token belongs to; every entry is compared, match or not. */
  public Optional<Caller> authenticate(String presented) {
    if (presented == null || presented.isEmpty()) {
      return Optional.empty();
    }
    byte[] digest = sha256(presented);
    Role matched = null;
    for (Entry entry : entries) {
      if (MessageDigest.isEqual(entry.digest(), digest) && matched == null) {
        matched = entry.role();
      }
    }
    if (matched == null) {
      return Optional.empty();
    }
    String name = matched.name().toLowerCase() + ":" + HexFormat.of().formatHex(digest, 0, 4);
    return Optional.of(new Caller(name, matched));
  }

  static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM lacks SHA-256", e);
    }
  }
}
