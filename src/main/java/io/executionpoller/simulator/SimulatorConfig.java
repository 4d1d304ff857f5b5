package io.executionpoller.simulator;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.Set;

/**
 * The built-in AMC simulator: test scaffolding, carried only by builds with {@link #INCLUDED} true
 * (dev mode, tests, the process tests' AMC), and serving there only when enabled.
 */
@ConfigMapping(prefix = "poller.simulator")
public interface SimulatorConfig {

  /**
   * Build-time switch: the simulator's beans and routes exist only in builds with it true (dev
   * mode, tests, the process tests' AMC package); the production package leaves them out.
   */
  String INCLUDED = "poller.simulator.included";

  /**
   * Whether this build carries the simulator ({@value #INCLUDED}); read when the application is
   * built, so setting it on a packaged daemon changes nothing.
   */
  @WithDefault("false")
  boolean included();

  /**
   * Serve the AMC and token endpoints under /simulator on the API port (builds that include it).
   */
  @WithDefault("false")
  boolean enabled();

  /** Seed a demo account, workflows and executions at start-up (dev mode). */
  @WithDefault("false")
  boolean seedDemo();

  /** Added to every AMC API answer, to make concurrency and throughput measurable. */
  @WithDefault("0MS")
  Duration latency();

  /**
   * Added to the latency of create calls only, so a create can be kept on the wire while every
   * other call answers at once (the process tests stop a replica mid-create with it).
   */
  @WithDefault("0MS")
  Duration createLatency();

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

  /** Fault injection into the AMC API routes; everything off by default. */
  Faults faults();

  /**
   * Random faults ({@code poller.simulator.faults.*}): each rate is the share of eligible calls
   * answered with that fault (default 0, at most 1 in total), drawn from a generator seeded with
   * {@code seed}. Tests change them at run time with {@link AmcSimulator#setFaultRates}.
   */
  interface Faults {

    /** 429 with Retry-After and a {code,details} body. */
    @WithDefault("0")
    double throttleRetryAfter();

    /** 429 without Retry-After, {"message":"Too Many Requests"}. */
    @WithDefault("0")
    double throttleMessage();

    /** 429 without Retry-After, {"code":"429","details":"Rate exceeded"}. */
    @WithDefault("0")
    double throttleCode();

    /** 500 {code,details}. */
    @WithName("error-500")
    @WithDefault("0")
    double error500();

    /** 502 {"message":"Bad Gateway"}. */
    @WithName("error-502")
    @WithDefault("0")
    double error502();

    /** 504 {"message":"Endpoint request timed out"}. */
    @WithName("error-504")
    @WithDefault("0")
    double error504();

    /** No answer until {@link #hangFor()}. */
    @WithDefault("0")
    double hang();

    /** Connection closed without an answer. */
    @WithDefault("0")
    double reset();

    /** 200 with an HTML page instead of JSON. */
    @WithDefault("0")
    double malformed();

    /** 200 with half of the real JSON body. */
    @WithDefault("0")
    double truncated();

    /** Seed of the fault generator, so a failing run can be replayed. */
    @WithDefault("1")
    long seed();

    /** Calls random faults apply to; scripted faults name their operation themselves. */
    @WithDefault("STATUS")
    Set<Operation> operations();

    /** Value of the Retry-After header of THROTTLE_RETRY_AFTER, in whole seconds. */
    @WithDefault("2S")
    Duration retryAfter();

    /** How long a HANG holds the connection before closing it, so nothing stays open for good. */
    @WithDefault("5M")
    Duration hangFor();

    /**
     * How long an S3 STALL holds the end of a result file before closing the connection, unless
     * {@link AmcSimulator#releaseStalls()} comes first.
     */
    @WithDefault("5M")
    Duration stallFor();
  }
}
