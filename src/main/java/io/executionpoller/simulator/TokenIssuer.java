package io.executionpoller.simulator;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The simulated LwA side: issues access tokens for the configured client and refresh token, each
 * valid for {@code token-lifetime} on the application clock, and refuses refreshes while a test
 * rejects the credentials.
 */
final class TokenIssuer {

  private final Clock clock;
  private final SimulatorConfig config;
  private final Map<String, Instant> tokens = new ConcurrentHashMap<>();
  private final AtomicInteger tokenCalls = new AtomicInteger();
  private volatile String rejectedCredentials;

  TokenIssuer(Clock clock, SimulatorConfig config) {
    this.clock = clock;
    this.config = config;
  }

  /** Empty when refused; {@link #credentialRejection()} then says whether by rejectCredentials. */
  Optional<String> issue(String clientId, String clientSecret, String refreshToken) {
    tokenCalls.incrementAndGet();
    if (rejectedCredentials != null
        || !config.clientId().equals(clientId)
        || !config.clientSecret().equals(clientSecret)
        || !config.refreshToken().equals(refreshToken)) {
      return Optional.empty();
    }
    String token = "Atza|sim-" + UUID.randomUUID();
    tokens.put(token, clock.instant().plus(config.tokenLifetime()));
    return Optional.of(token);
  }

  Optional<String> credentialRejection() {
    return Optional.ofNullable(rejectedCredentials);
  }

  /** See {@link AmcSimulator#rejectCredentials}. */
  void rejectCredentials(String oauthError) {
    if (!"invalid_grant".equals(oauthError) && !"invalid_client".equals(oauthError)) {
      throw new IllegalArgumentException("invalid_grant or invalid_client, not " + oauthError);
    }
    rejectedCredentials = oauthError;
  }

  void acceptCredentials() {
    rejectedCredentials = null;
  }

  /** TOKEN_EXPIRED: the presented token stops working, as if it had expired a moment ago. */
  void invalidate(String token) {
    if (token != null) {
      tokens.remove(token);
    }
  }

  boolean isValid(String token) {
    Instant expiresAt = token == null ? null : tokens.get(token);
    return expiresAt != null && clock.instant().isBefore(expiresAt);
  }

  /** Makes every issued access token invalid, as a revocation or an early expiry would. */
  void revokeAll() {
    tokens.clear();
  }

  int tokenCalls() {
    return tokenCalls.get();
  }

  /** Forgets every token and the call count, and accepts the credentials again. */
  void clear() {
    tokens.clear();
    tokenCalls.set(0);
    rejectedCredentials = null;
  }
}
