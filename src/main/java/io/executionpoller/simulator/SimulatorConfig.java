package io.executionpoller.simulator;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The built-in AMC simulator (off by default; on in dev mode and tests). */
@ConfigMapping(prefix = "poller.simulator")
public interface SimulatorConfig {

  /** Serve the AMC and token endpoints under /simulator on the API port. */
  @WithDefault("false")
  boolean enabled();

  /** Seed a demo account, workflows and executions at start-up (dev mode). */
  @WithDefault("false")
  boolean seedDemo();

  /** Added to every AMC API answer, to make concurrency and throughput measurable. */
  @WithDefault("0MS")
  Duration latency();

  /** Lifetime of issued access tokens (LwA: one hour). */
  @WithDefault("1H")
  Duration tokenLifetime();

  /** Client id the token endpoint accepts. */
  @WithDefault("sim-client")
  String clientId();

  /** Client secret the token endpoint accepts. */
  @WithDefault("sim-secret")
  String clientSecret();

  /** Refresh token the token endpoint accepts. */
  @WithDefault("Atzr|sim-refresh-token")
  String refreshToken();

  /** Executions RUNNING at once per instance (AMC: 10); the rest stay PENDING. */
  @WithDefault("10")
  int runningLimitPerInstance();

  /** Lifetime of presigned download URLs (AMC: 10 minutes). */
  @WithDefault("10M")
  Duration downloadUrlLifetime();

  /** Time PENDING of the default script. */
  @WithDefault("10S")
  Duration defaultPending();

  /** Time RUNNING of the default script. */
  @WithDefault("30S")
  Duration defaultRunning();

  /** Result rows of the default script. */
  @WithDefault("5")
  int defaultResultRows();
}
