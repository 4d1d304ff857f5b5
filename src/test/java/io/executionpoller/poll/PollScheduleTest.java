package io.executionpoller.poll;

import static org.assertj.core.api.Assertions.assertThat;

import io.executionpoller.execution.ExecutionStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** When an execution is checked next: one row per situation, and the bounds over all of them. */
class PollScheduleTest {

  private static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");
  private static final TypicalRun DEFAULT_RUN =
      new TypicalRun(Duration.ofMinutes(15), Duration.ofMinutes(45));
  private static final TypicalRun SHORT_RUNS =
      new TypicalRun(Duration.ofMinutes(2), Duration.ofMinutes(4));

  private static PollSchedule.Settings adaptive(Duration staleness) {
    return new PollSchedule.Settings(
        true,
        Duration.ofSeconds(15),
        Duration.ofSeconds(15),
        Duration.ofMinutes(5),
        0.1,
        Duration.ofMinutes(1),
        0.75,
        0.05,
        DEFAULT_RUN,
        staleness);
  }

  private static final PollSchedule ADAPTIVE = new PollSchedule(adaptive(Duration.ZERO));
  private static final PollSchedule LISTED = new PollSchedule(adaptive(Duration.ofSeconds(10)));
  private static final PollSchedule FIXED =
      new PollSchedule(PollSchedule.Settings.fixed(Duration.ofSeconds(15)));

  private static PollSchedule.Facts pending(Duration sinceSubmission) {
    return new PollSchedule.Facts(
        ExecutionStatus.PENDING,
        sinceSubmission == null ? null : NOW.minus(sinceSubmission),
        null,
        null);
  }

  private static PollSchedule.Facts running(Duration ran, TypicalRun recorded) {
    return new PollSchedule.Facts(
        ExecutionStatus.RUNNING, NOW.minus(ran).minusSeconds(3600), NOW.minus(ran), recorded);
  }

  static Stream<Arguments> situations() {
    return Stream.of(
        Arguments.of("fixed, just submitted", FIXED, pending(Duration.ZERO), 15),
        Arguments.of("fixed, running for hours", FIXED, running(Duration.ofHours(3), null), 15),
        Arguments.of("just submitted", ADAPTIVE, pending(Duration.ZERO), 15),
        Arguments.of("submission time unknown", ADAPTIVE, pending(null), 15),
        Arguments.of("pending 5 min: a tenth of it", ADAPTIVE, pending(Duration.ofMinutes(5)), 30),
        Arguments.of("pending 1 h: pending cap", ADAPTIVE, pending(Duration.ofHours(1)), 60),
        Arguments.of("just started", ADAPTIVE, running(Duration.ZERO, null), 15),
        Arguments.of(
            "running 5 min, usual finish far", ADAPTIVE, running(Duration.ofMinutes(5), null), 30),
        Arguments.of(
            "running 10.5 min: stops at the usual finish's start (11.25 min)",
            ADAPTIVE,
            running(Duration.ofSeconds(630), null),
            45),
        Arguments.of(
            "running 11 min: the usual finish is 15 s away, min-interval",
            ADAPTIVE,
            running(Duration.ofMinutes(11), null),
            15),
        Arguments.of(
            "running 20 min, within the usual finish: a twentieth",
            ADAPTIVE,
            running(Duration.ofMinutes(20), null),
            60),
        Arguments.of(
            "running 60 min, past p90: a tenth, capped",
            ADAPTIVE,
            running(Duration.ofMinutes(60), null),
            300),
        Arguments.of(
            "running 30 min, recorded runs take 2 to 4 min: a tenth",
            ADAPTIVE,
            running(Duration.ofMinutes(30), SHORT_RUNS),
            180),
        Arguments.of(
            "running 100 s, recorded runs take 2 to 4 min: min-interval",
            ADAPTIVE,
            running(Duration.ofSeconds(100), SHORT_RUNS),
            15),
        Arguments.of(
            "listed: just submitted, not below min-interval", LISTED, pending(Duration.ZERO), 15),
        Arguments.of(
            "listed: pending 5 min, less the listing's age",
            LISTED,
            pending(Duration.ofMinutes(5)),
            20),
        Arguments.of(
            "listed: within the usual finish, less the listing's age",
            LISTED,
            running(Duration.ofMinutes(20), null),
            50),
        Arguments.of(
            "listed: past p90, less the listing's age",
            LISTED,
            running(Duration.ofMinutes(60), null),
            290));
  }

  @ParameterizedTest(name = "{0}: {3} s")
  @MethodSource("situations")
  void shouldWaitAsTheSituationSays(
      String situation, PollSchedule schedule, PollSchedule.Facts facts, long seconds) {
    assertThat(schedule.interval(facts, NOW)).isEqualTo(Duration.ofSeconds(seconds));
    assertThat(schedule.next(facts, NOW)).isEqualTo(NOW.plusSeconds(seconds));
  }

  @Test
  void shouldNeverWaitLongerThanTheDetectionBoundOrMaxInterval() {
    for (long seconds = 0; seconds <= 10 * 3600; seconds += 7) {
      Duration elapsed = Duration.ofSeconds(seconds);
      Duration bound = Duration.ofMillis(Math.max(15_000, elapsed.toMillis() / 10));
      for (PollSchedule.Facts facts :
          new PollSchedule.Facts[] {
            pending(elapsed), running(elapsed, null), running(elapsed, SHORT_RUNS)
          }) {
        Duration wait = ADAPTIVE.interval(facts, NOW);
        assertThat(wait).as("%s after %s", facts.status(), elapsed).isLessThanOrEqualTo(bound);
        assertThat(wait).isLessThanOrEqualTo(Duration.ofMinutes(5));
        assertThat(wait).isGreaterThanOrEqualTo(Duration.ofSeconds(15));
        // A listed status may be 10 s old: the delay bound holds with it, and at min-interval
        // it is min-interval plus those 10 s.
        Duration listed = LISTED.interval(facts, NOW);
        assertThat(listed.plusSeconds(10))
            .as("listed %s after %s", facts.status(), elapsed)
            .isLessThanOrEqualTo(max(bound, Duration.ofSeconds(25)));
      }
    }
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
