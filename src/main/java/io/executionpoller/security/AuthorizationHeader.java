package io.executionpoller.security;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;

/**
 * The token in an Authorization header: {@code Bearer <token>} for API clients, or HTTP Basic with
 * the token as the password (any user name) so a browser can open the dashboard.
 */
public final class AuthorizationHeader {

  private AuthorizationHeader() {}

  public static Optional<String> token(String header) {
    if (header == null) {
      return Optional.empty();
    }
    String value = header.strip();
    int space = value.indexOf(' ');
    if (space <= 0) {
      return Optional.empty();
    }
    String scheme = value.substring(0, space).toLowerCase(Locale.ROOT);
    String credentials = value.substring(space + 1).strip();
    if (credentials.isEmpty()) {
      return Optional.empty();
    }
    if (scheme.equals("bearer")) {
      return Optional.of(credentials);
    }
    if (scheme.equals("basic")) {
      return basicPassword(credentials);
    }
    return Optional.empty();
  }

  private static Optional<String> basicPassword(String encoded) {
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    int colon = decoded.indexOf(':');
    if (colon < 0 || colon == decoded.length() - 1) {
      return Optional.empty();
    }
    return Optional.of(decoded.substring(colon + 1));
  }
}
