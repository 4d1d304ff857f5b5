package io.executionpoller.remote.guard;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** What protects AMC from us and us from AMC: breakers, rate limits, credential pauses. */
@ConfigMapping(prefix = "poller.remote")
public interface GuardConfig {

  Breaker breaker();

  RateLimit rateLimit();

  Credentials credentials();

  /** One circuit breaker per AMC instance (API host plus instance id). */
  interface Breaker {

    /** Transient failures in a row (5xx, timeouts, connection errors) that open the breaker. */
    @WithDefault("10")
    int failureThreshold();

    /** How long a freshly opened breaker defers calls before one probe is let through. */
    @WithDefault("30S")
    Duration openFor();

    /** Each failed probe doubles the open time, up to this. */
    @WithDefault("5M")
    Duration maxOpenFor();

    /** A probe that has not reported back after this is presumed lost; another may go. */
    @WithDefault("60S")
    Duration probeTimeout();
  }

  /** A token bucket per AMC account (advertiser id) for every call made to it. */
  interface RateLimit {

    /** Switch the limit off (benchmarks against the simulator). */
    @WithDefault("true")
    boolean enabled();

    /** Sustained calls per second per account. AMC publishes no number; stay modest. */
    @WithDefault("10")
    double requestsPerSecond();

    /** Calls an idle account may make at once. */
    @WithDefault("20")
    int burst();

    /** A call waits at most this long for a token; beyond it the check is deferred instead. */
    @WithDefault("2S")
    Duration maxWait();
  }

  /** What happens when Login with Amazon refuses the credentials or cannot be reached. */
  interface Credentials {

    /** After invalid_grant or invalid_client, try the token endpoint again only after this. */
    @WithDefault("5M")
    Duration recheckInterval();

    /** After the token endpoint failed (5xx, timeout), checks wait this long before trying. */
    @WithDefault("15S")
    Duration unavailableRetry();
  }
}
