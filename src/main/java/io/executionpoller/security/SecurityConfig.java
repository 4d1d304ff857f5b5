package io.executionpoller.security;

import io.smallrye.config.ConfigMapping;
import java.util.List;
import java.util.Optional;

/**
 * Who may use the admin API and the dashboard. Each entry is a token, either as issued (at least 16
 * characters) or as {@code sha256:<64 hex digits>} of it, so the Kubernetes Secret need not hold
 * the token itself. With no entries every request is refused.
 */
@ConfigMapping(prefix = "poller.security")
public interface SecurityConfig {

  /** Tokens that may read: every GET of the API and the dashboard. */
  Optional<List<String>> viewerTokens();

  /** Tokens that may also act: register, submit, cancel, retry, poll now. */
  Optional<List<String>> operatorTokens();
}
