package io.executionpoller.security;

import io.quarkus.runtime.Startup;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/** The configured tokens, checked at boot so a malformed entry stops the daemon early. */
@Singleton
@Startup
public class AdminTokens {

  private static final Logger LOG = Logger.getLogger(AdminTokens.class);

  private final TokenRegistry registry;

  AdminTokens(SecurityConfig config) {
    this.registry =
        TokenRegistry.of(
            config.viewerTokens().orElse(List.of()), config.operatorTokens().orElse(List.of()));
    if (registry.isEmpty()) {
      LOG.warn(
          "no admin tokens configured (poller.security.viewer-tokens, operator-tokens):"
              + " the API and the dashboard refuse every request");
    }
  }

  public Optional<Caller> authenticate(String authorizationHeader) {
    return AuthorizationHeader.token(authorizationHeader).flatMap(registry::authenticate);
  }
}
