package io.executionpoller.poll;

import static org.assertj.core.api.Assertions.assertThat;

import io.executionpoller.simulator.AmcSimulator;
import io.executionpoller.simulator.Fault;
import io.executionpoller.simulator.Operation;
import io.executionpoller.support.Fixtures;
import io.executionpoller.support.PostgresResource;
import io.executionpoller.support.TestClock;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One fault at a time against the real loop: a failed check keeps the execution's status, counts,
 * backs off, and only the fifth failure in a row ends it. Faults come from the simulator over real
 * HTTP; time is the test clock.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class FailedCheckTest {

  private static final Duration AWAIT = Duration.ofSeconds(60);

  /** One check is the call plus two immediate repeats (poller.amc.call-retries). */
  private static final int ATTEMPTS_PER_CHECK = 3;

  @Inject PollCycle cycle;
  @Inject AmcSimulator simulator;
  @Inject Fixtures fixtures;
  @Inject TestClock clock;

  private UUID execution;
  private String remoteId;

  @BeforeEach
  void runningExecution() {
    fixtures.reset();
    Fixtures.Tracked tracked = fixtures.trackLongRunning("wf_faulty");
    remoteId = tracked.remoteId();
    execution = tracked.execution();
    runOnce();
    assertThat(fixtures.status(execution)).isEqualTo("RUNNING");
    clock.advance(Duration.ofSeconds(15));
  }

  private CycleReport runOnce() {
    return cycle.runOnce().await().atMost(AWAIT);
  }

  private void failNextChecks(Fault fault, int checks) {
    simulator.scriptFaults(
        Operation.STATUS, remoteId, Collections.nCopies(checks * ATTEMPTS_PER_CHECK, fault));
  }

  @Test
  void shouldKeepTheStatusCountTheFailureAndBackOffAfterA500() {
    failNextChecks(Fault.ERROR_500, 1);
    Instant now = clock.instant();

    CycleReport report = runOnce();

    assertThat(report.failedChecks()).isEqualTo(1);
    assertThat(fixtures.status(execution)).isEqualTo("RUNNING");
    assertThat(fixtures.intColumn(execution, "consecutive_poll_errors")).isEqualTo(1);
    assertThat(fixtures.execution(execution).get("error_type")).isEqualTo("AMC_API_ERROR");
    assertThat((String) fixtures.execution(execution).get("last_error")).contains("HTTP 500");
    assertThat(fixtures.instant(execution, "last_error_at")).isEqualTo(now);
    // First failure: full jitter over [1 s, 5 s] (check-backoff-floor, check-backoff-base).
    assertThat(fixtures.instant(execution, "next_poll_at"))
        .isBetween(now.plusSeconds(1), now.plusSeconds(5));
    assertThat(fixtures.events(execution)).contains("CHECK_FAILED");
  }

  @Test
  void shouldCountABinaryErrorBodyWithNulsAndFailAfterTheLimitLikeAnyOther500() {
    failNextChecks(Fault.ERROR_500_BINARY, 5);
    Instant now = clock.instant();

    CycleReport report = runOnce();

    assertThat(report.failedChecks()).isEqualTo(1);
    assertThat(fixtures.intColumn(execution, "consecutive_poll_errors")).isEqualTo(1);
    assertThat((String) fixtures.execution(execution).get("last_error"))
        .contains("HTTP 500")
        .doesNotContain("\u0000");
    assertThat(fixtures.instant(execution, "next_poll_at"))
        .as("backed off, not due again at once")
        .isBetween(now.plusSeconds(1), now.plusSeconds(5));
    for (int check = 2; check <= 5; check++) {
      clock.advance(Duration.ofMinutes(5));
      runOnce();
    }

    assertThat(fixtures.status(execution)).isEqualTo("FAILED");
    assertThat((String) fixtures.execution(execution).get("error_message"))
        .startsWith("gave up after 5 failed checks in a row");
    assertThat(fixtures.events(execution)).endsWith("CHECK_FAILED", "TRANSITION RUNNING->FAILED");
  }

  @Test
  void shouldResetTheCountAfterASuccessfulCheck() {
    failNextChecks(Fault.ERROR_502, 2);
    runOnce();
    clock.advance(Duration.ofSeconds(5));
    runOnce();
    assertThat(fixtures.intColumn(execution, "consecutive_poll_errors")).isEqualTo(2);

    clock.advance(Duration.ofSeconds(10));
    runOnce();

    assertThat(fixtures.intColumn(execution, "consecutive_poll_errors")).isZero();
    assertThat(fixtures.status(execution)).isEqualTo("RUNNING");
  }

  @Test
  void shouldFailTheExecutionAtTheFifthFailedCheckInARowWithTheTransitionRecorded() {
    failNextChecks(Fault.ERROR_504, 5);
    for (int check = 1; check <= 5; check++) {
      assertThat(fixtures.status(execution)).as("before check %d", check).isEqualTo("RUNNING");
      runOnce();
      clock.advance(Duration.ofMinutes(5));
    }

    assertThat(fixtures.status(execution)).isEqualTo("FAILED");
    assertThat(fixtures.execution(execution).get("error_type")).isEqualTo("AMC_API_ERROR");
    assertThat((String) fixtures.execution(execution).get("error_message"))
        .startsWith("gave up after 5 failed checks in a row");
    assertThat(fixtures.events(execution)).endsWith("CHECK_FAILED", "TRANSITION RUNNING->FAILED");
    assertThat(fixtures.intColumn(execution, "retry_count"))
        .as("checking never consumes retries")
        .isZero();
  }

  @Test
  void shouldNotCheckAgainBeforeTheBackoffHasPassed() {
    failNextChecks(Fault.ERROR_500, 4);
    for (int check = 1; check <= 4; check++) {
      runOnce();
      Instant due = fixtures.instant(execution, "next_poll_at");
      int callsAfterCheck = simulator.statusCalls(remoteId);
      // Every moment before the due time: no call reaches AMC.
      while (clock.instant().plusSeconds(1).isBefore(due)) {
        clock.advance(Duration.ofSeconds(1));
        runOnce();
        assertThat(simulator.statusCalls(remoteId)).isEqualTo(callsAfterCheck);
      }
      clock.set(due);
    }
    List<Instant> times = simulator.statusCallTimes(remoteId);
    assertThat(times).hasSizeGreaterThanOrEqualTo(1 + 4 * ATTEMPTS_PER_CHECK);
  }

  @Test
  void shouldHonourRetryAfterWhenItIsLaterThanTheBackoff() {
    // The simulator's Retry-After is 120 s in tests, far beyond the first backoff (at most 5 s).
    simulator.scriptFaults(Operation.STATUS, remoteId, List.of(Fault.THROTTLE_RETRY_AFTER));
    Instant now = clock.instant();

    runOnce();

    assertThat(fixtures.instant(execution, "next_poll_at")).isEqualTo(now.plusSeconds(120));
    assertThat(fixtures.execution(execution).get("error_type")).isEqualTo("RESOURCE_ERROR");
    assertThat(simulator.statusCalls(remoteId)).as("a 429 is not repeated at once").isEqualTo(2);
  }

  @Test
  void shouldClassifyBothThrottlingBodiesWithoutRetryAfterAsResourceErrors() {
    simulator.scriptFaults(
        Operation.STATUS, remoteId, List.of(Fault.THROTTLE_MESSAGE, Fault.THROTTLE_CODE));
    runOnce();
    assertThat(fixtures.execution(execution).get("error_type")).isEqualTo("RESOURCE_ERROR");
    clock.advance(Duration.ofSeconds(10));
    runOnce();
    assertThat(fixtures.execution(execution).get("error_type")).isEqualTo("RESOURCE_ERROR");
    assertThat(fixtures.intColumn(execution, "consecutive_poll_errors")).isEqualTo(2);
  }

  @Test
  void shouldRepeatAReadOnceAfterAHangAndCarryOn() {
    simulator.scriptFaults(Operation.STATUS, remoteId, List.of(Fault.HANG));

    CycleReport report = runOnce();

    assertThat(report.failedChecks()).isZero();
    assertThat(simulator.statusCalls(remoteId)).isEqualTo(3);
    assertThat(fixtures.intColumn(execution, "consecutive_poll_errors")).isZero();
  }

  @Test
  void shouldCountAsANetworkErrorWhenEveryAttemptHangs() {
    failNextChecks(Fault.HANG, 1);

    runOnce();

    assertThat(fixtures.execution(execution).get("error_type")).isEqualTo("NETWORK_ERROR");
    assertThat((String) fixtures.execution(execution).get("last_error")).contains("TIMEOUT");
  }

  @Test
  void shouldCountAsANetworkErrorWhenTheConnectionIsReset() {
    failNextChecks(Fault.RESET, 1);

    runOnce();

    assertThat(fixtures.execution(execution).get("error_type")).isEqualTo("NETWORK_ERROR");
    assertThat(fixtures.status(execution)).isEqualTo("RUNNING");
  }

  @Test
  void shouldCountAnUnreadableBodyAsAnAmcApiErrorAndLoseNothingStored() {
    failNextChecks(Fault.MALFORMED, 1);
    Object startedAt = fixtures.execution(execution).get("started_at");

    runOnce();

    assertThat(fixtures.execution(execution).get("error_type")).isEqualTo("AMC_API_ERROR");
    assertThat((String) fixtures.execution(execution).get("last_error"))
        .contains("MALFORMED_RESPONSE");
    assertThat(fixtures.execution(execution).get("started_at")).isEqualTo(startedAt);
    assertThat(fixtures.execution(execution).get("remote_status")).isEqualTo("RUNNING");
  }

  @Test
  void shouldReadATruncatedAnswerAgainRatherThanFailTheCheck() {
    simulator.scriptFaults(Operation.STATUS, remoteId, List.of(Fault.TRUNCATED));

    CycleReport report = runOnce();

    assertThat(report.failedChecks()).isZero();
    assertThat(simulator.statusCalls(remoteId)).isEqualTo(3);
  }

  @Test
  void shouldRefreshAnExpiredTokenAndCarryOn() {
    int tokenCallsBefore = simulator.tokenCalls();
    simulator.scriptFaults(Operation.STATUS, remoteId, List.of(Fault.TOKEN_EXPIRED));

    CycleReport report = runOnce();

    assertThat(report.failedChecks()).isZero();
    assertThat(simulator.tokenCalls()).isEqualTo(tokenCallsBefore + 1);
    assertThat(fixtures.intColumn(execution, "consecutive_poll_errors")).isZero();
  }
}
