package io.executionpoller.poll;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** When an execution is checked next (see PollSchedule). */
@ConfigMapping(prefix = "poller.schedule")
public interface ScheduleConfig {

  /** Adapt the interval to what is known of the execution; off: every poller.poll.interval. */
  @WithDefault("true")
  boolean adaptive();

  /** Shortest time between two checks of one execution. */
  @WithDefault("15S")
  Duration minInterval();

  /** Longest time between two checks of one execution. */
  @WithDefault("5M")
  Duration maxInterval();

  /** A check waits at most this fraction of the time the execution has been pending or running. */
  @WithDefault("0.1")
  double elapsedFraction();

  /**
   * Longest time between two checks of an execution AMC still holds PENDING: it may start and end
   * at any moment.
   */
  @WithDefault("1M")
  Duration pendingMaxInterval();

  /** Runs usually finish from this fraction of the workflow's median run time on. */
  @WithDefault("0.75")
  double finishWindowStart();

  /**
   * Within the usual finish (up to the workflow's p90), checks wait at most this fraction of the
   * run time.
   */
  @WithDefault("0.05")
  double finishFraction();

  /** Median run time assumed for a workflow with too few recorded runs. */
  @WithDefault("15M")
  Duration defaultMedianRuntime();

  /** 90th percentile of run time assumed for a workflow with too few recorded runs. */
  @WithDefault("45M")
  Duration defaultP90Runtime();

  /** Recorded runs of a workflow needed before its own percentiles are used. */
  @WithDefault("5")
  int minRecordedRuns();

  /** Runs completed this long ago at most count towards a workflow's percentiles. */
  @WithDefault("30D")
  Duration statsLookback();

  /** How often the run time percentiles are read from the database again. */
  @WithDefault("5M")
  Duration statsRefresh();
}
