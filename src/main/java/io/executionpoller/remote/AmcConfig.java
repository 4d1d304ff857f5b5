package io.executionpoller.remote;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** How to reach AMC and Login with Amazon. Credentials come from a Secret, never from the image. */
@ConfigMapping(prefix = "poller.amc")
public interface AmcConfig {

  /** Default AMC API base URL (regional endpoint); an instance may override it. */
  @WithDefault("https://advertising-api.amazon.com")
  String apiBaseUrl();

  /**
   * Hosts an AMC API base URL may name (the default, an instance's endpoint): only these ever get
   * the Login with Amazon token. Exact hosts, or wildcards as in poller.results.allowed-hosts.
   */
  @WithDefault(
      "advertising-api.amazon.com,advertising-api-eu.amazon.com,advertising-api-fe.amazon.com")
  List<String> allowedApiHosts();

  /** Refuse plain-http AMC API base URLs; off only in dev and test, for the local simulator. */
  @WithDefault("true")
  boolean requireHttps();

  /** Login with Amazon token endpoint. */
  @WithDefault("https://api.amazon.com/auth/o2/token")
  String tokenUrl();

  /** LwA client id, also sent as Amazon-Advertising-API-ClientId. */
  Optional<String> clientId();

  /** LwA client secret. */
  Optional<String> clientSecret();

  /** LwA refresh token (Atzr|...). */
  Optional<String> refreshToken();

  /** Refresh the access token this long before it expires. */
  @WithDefault("5M")
  Duration tokenRefreshMargin();

  /** TCP connect timeout for every AMC and token call. */
  @WithDefault("5S")
  Duration connectTimeout();

  /**
   * Whole-request deadline for every AMC and token call. With its repeats (call-retries) a read
   * must fit in poller.poll.check-deadline: 3 x 20 s plus backoff stays under 90 s.
   */
  @WithDefault("20S")
  Duration requestTimeout();

  /**
   * How long an execution AMC created may take to show in a listing. A create that went unanswered
   * is not tried again before request-timeout plus this has passed since the attempt, so the
   * replica that tries finds the first execution by listing instead of creating a second.
   */
  @WithDefault("30S")
  Duration listingMargin();

  /** Close pooled connections idle for this long. */
  @WithDefault("60S")
  Duration idleTimeout();

  /**
   * Repeats of a read (status, list, download URLs, cancel) within the same check after an
   * outage-like failure (5xx, timeout, reset, unreadable body). Never for a create: a repeated
   * create could start a second remote execution.
   */
  @WithDefault("2")
  int callRetries();

  /**
   * First pause before such a repeat; doubles for each further one, up to 8 times this, with a
   * random jitter of plus or minus half of this.
   */
  @WithDefault("250MS")
  Duration callRetryBackoff();

  /** Maximum pooled HTTP connections per AMC host; keep it above the poll concurrency. */
  @WithDefault("100")
  int maxConnections();
}
