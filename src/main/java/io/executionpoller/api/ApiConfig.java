package io.executionpoller.api;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** How the registration API behaves. */
@ConfigMapping(prefix = "poller.api")
public interface ApiConfig {

  /**
   * How long an Idempotency-Key of POST /api/v1/executions is remembered; housekeeping purges it
   * after.
   */
  @WithDefault("24H")
  Duration idempotencyKeyLifetime();
}
