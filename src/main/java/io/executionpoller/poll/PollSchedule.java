package io.executionpoller.poll;

import io.executionpoller.execution.ExecutionStatus;
import java.time.Duration;
import java.time.Instant;

/**
 * When a healthy execution is checked next. Pure: time and facts passed in.
 *
 * <p>Fixed, it waits the one interval. Adaptive, it waits a fraction of the time the execution has
 * been at AMC (since it started running, or since it was submitted while AMC holds it PENDING),
 * between min-interval and max-interval: soon after submission, then less often as it runs. Around
 * the workflow's usual finish (from a fraction of its median run time to its p90) it waits a
 * smaller fraction, and a wait never jumps into that window past its start. So a finished execution
 * is seen within max(min-interval, elapsed-fraction of its elapsed time), never later than
 * max-interval. A listed status can be up to {@code staleness} old when it is read, so waits above
 * min-interval are shortened by that much to keep the bound (at min-interval it becomes
 * min-interval plus the staleness).
 */
final class PollSchedule {

  /** The shortest wait, whatever the settings: never due again within the same tick. */
  private static final Duration FLOOR = Duration.ofSeconds(1);

  /**
   * @param adaptive adapt the wait; false: always {@code fixedInterval}
   * @param fixedInterval the wait when not adaptive
   * @param minInterval shortest adaptive wait
   * @param maxInterval longest adaptive wait
   * @param elapsedFraction wait as a fraction of the time at AMC
   * @param pendingMaxInterval longest wait while AMC holds the execution PENDING
   * @param finishWindowStart the usual finish starts at this fraction of the median run time
   * @param finishFraction wait as a fraction of the run time within the usual finish
   * @param typical assumed run times of a workflow with too few recorded runs
   * @param staleness how old a status may be when it is read (listing max-age, or zero)
   */
  record Settings(
      boolean adaptive,
      Duration fixedInterval,
      Duration minInterval,
      Duration maxInterval,
      double elapsedFraction,
      Duration pendingMaxInterval,
      double finishWindowStart,
      double finishFraction,
      TypicalRun typical,
      Duration staleness) {

    static Settings of(PollConfig poll, ScheduleConfig schedule, ListingConfig listing) {
      return new Settings(
          schedule.adaptive(),
          poll.interval(),
          schedule.minInterval(),
          schedule.maxInterval(),
          schedule.elapsedFraction(),
          schedule.pendingMaxInterval(),
          schedule.finishWindowStart(),
          schedule.finishFraction(),
          new TypicalRun(schedule.defaultMedianRuntime(), schedule.defaultP90Runtime()),
          listing.enabled() ? listing.maxAge() : Duration.ZERO);
    }

    /** Today's behaviour: one fixed interval. */
    static Settings fixed(Duration interval) {
      return new Settings(
          false,
          interval,
          interval,
          interval,
          0,
          interval,
          0,
          0,
          new TypicalRun(interval, interval),
          Duration.ZERO);
    }
  }

  /**
   * What the next check depends on: the status the execution has after this check, when it was
   * submitted (null if unknown), when it started running (null if not), and its workflow's recorded
   * run times (null if too few).
   */
  record Facts(
      ExecutionStatus status, Instant submittedAt, Instant startedAt, TypicalRun recorded) {}

  private final Settings settings;

  PollSchedule(Settings settings) {
    this.settings = settings;
  }

  Instant next(Facts facts, Instant now) {
    return now.plus(interval(facts, now));
  }

  Duration interval(Facts facts, Instant now) {
    if (!settings.adaptive()) {
      return settings.fixedInterval();
    }
    boolean running = facts.status() == ExecutionStatus.RUNNING && facts.startedAt() != null;
    Instant since = running ? facts.startedAt() : facts.submittedAt();
    Duration elapsed = since == null ? Duration.ZERO : positive(Duration.between(since, now));
    Duration wait = bounded(fraction(elapsed, settings.elapsedFraction()));
    if (running) {
      wait = nearUsualFinish(wait, elapsed, facts.recorded());
    } else {
      wait = min(wait, max(settings.pendingMaxInterval(), settings.minInterval()));
    }
    // The staleness comes off waits above min-interval only: near submission a check is no more
    // frequent than min-interval, and the bound there is min-interval plus the staleness.
    Duration shortened = max(wait.minus(settings.staleness()), min(wait, settings.minInterval()));
    return max(shortened, FLOOR);
  }

  /** Shorter waits from the start of the usual finish to its p90; never jump past its start. */
  private Duration nearUsualFinish(Duration wait, Duration ran, TypicalRun recorded) {
    TypicalRun typical = recorded != null ? recorded : settings.typical();
    Duration opens = fraction(typical.median(), settings.finishWindowStart());
    Duration closes = max(typical.p90(), opens);
    if (ran.compareTo(opens) < 0) {
      Duration untilOpen = opens.minus(ran);
      return min(wait, max(untilOpen, settings.minInterval()));
    }
    if (ran.compareTo(closes) <= 0) {
      return min(wait, bounded(fraction(ran, settings.finishFraction())));
    }
    return wait;
  }

  private Duration bounded(Duration wait) {
    return min(max(wait, settings.minInterval()), settings.maxInterval());
  }

  private static Duration fraction(Duration duration, double fraction) {
    return Duration.ofMillis((long) (duration.toMillis() * fraction));
  }

  private static Duration positive(Duration duration) {
    return duration.isNegative() ? Duration.ZERO : duration;
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
