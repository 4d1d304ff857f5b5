package io.executionpoller.remote;

import java.time.Instant;

/**
 * A remote call that was not sent because the remote as a whole is not usable right now: its
 * breaker is open, its account is over its rate limit, or the credentials were rejected. It is
 * nobody's fault in particular, so the poll loop reschedules the check for {@link #retryAt()}
 * without counting it against the execution.
 */
public final class CallDeferred extends RuntimeException {

  /** Why the call was held back. */
  public enum Reason {
    /** The instance's circuit breaker is open (or half-open with its probe out). */
    BREAKER_OPEN,
    /** The account's token bucket has no token within the allowed wait. */
    RATE_LIMITED,
    /** Login with Amazon rejected the credentials (invalid_grant, invalid_client). */
    CREDENTIALS_REJECTED,
    /** The token endpoint could not be reached or failed; no access token is available. */
    TOKEN_UNAVAILABLE
  }

  private final Reason reason;
  private final Instant retryAt;

  public CallDeferred(Reason reason, Instant retryAt, String detail) {
    super(reason + ": " + detail + "; retry at " + retryAt, null, false, false);
    this.reason = reason;
    this.retryAt = retryAt;
  }

  public Reason reason() {
    return reason;
  }

  public Instant retryAt() {
    return retryAt;
  }
}
