package io.executionpoller.poll;

import static org.assertj.core.api.Assertions.assertThat;

import io.executionpoller.housekeeping.Housekeeping;
import io.executionpoller.remote.AmcClient;
import io.executionpoller.remote.RemoteExecution;
import io.executionpoller.simulator.AmcSimulator;
import io.executionpoller.simulator.ExecutionScript;
import io.executionpoller.support.Fixtures;
import io.executionpoller.support.PostgresResource;
import io.executionpoller.support.TestClock;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The housekeeping timeout sweep never overrides the loop: an execution AMC reports SUCCEEDED
 * before its limit ends SUCCESS, whether the sweep runs while a check holds the row or between two
 * checks; only a row no check reaches is timed out by the sweep.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class TimeoutSweepRaceTest {

  private static final Duration AWAIT = Duration.ofSeconds(60);
  private static final String OWNER = "replica-checking";

  @Inject PollCycle cycle;
  @Inject ExecutionStore store;
  @Inject Housekeeping housekeeping;
  @Inject AmcClient amc;
  @Inject AmcSimulator simulator;
  @Inject Fixtures fixtures;
  @Inject TestClock clock;
  @Inject PollConfig poll;
  @Inject RetryConfig retry;
  @Inject TimeoutConfig timeout;

  @BeforeEach
  void clean() {
    fixtures.reset();
  }

  @Test
  void shouldEndSuccessWhenTheSweepRunsBetweenTheClaimAndTheWriteOfACheck() throws Exception {
    UUID execution = succeedsTenSecondsBeforeItsLimit("wf_sweep_mid_check");
    clock.advance(Duration.ofSeconds(595));
    // The check, step by step: claim, ask AMC (SUCCEEDED), ...
    List<ClaimedExecution> claims =
        store.claim(OWNER, clock.instant(), poll.leaseDuration(), 10).await().atMost(AWAIT);
    assertThat(claims).hasSize(1);
    ClaimedExecution claimed = claims.get(0);
    RemoteExecution answer =
        amc.getExecution(claimed.target(), claimed.amcExecutionId()).await().atMost(AWAIT);
    assertThat(answer.status()).isEqualTo("SUCCEEDED");
    // ... and before it writes, the sweep runs with the clock past the limit, and past the lease
    // as the injected clock reckons it (on the database's clock the lease is live).
    clock.advance(Duration.ofMinutes(3));
    housekeeping.sweepTimeoutsNow();
    WritePlan plan =
        new WritePlanner(WritePlanner.Settings.of(poll, retry, timeout), new Random())
            .plan(new CheckOutcome.Observed(claimed, answer), clock.instant());
    boolean written =
        store.apply(OWNER, clock.instant(), (WritePlan.Update) plan).await().atMost(AWAIT);

    assertThat(fixtures.status(execution)).isEqualTo("SUCCESS");
    assertThat(written).isTrue();
    assertThat(fixtures.events(execution)).doesNotContain("TRANSITION RUNNING->TIMEOUT");
    assertThat(
            fixtures.count(
                "SELECT count(*) FROM execution_results WHERE execution_id = ?", execution))
        .as("its result step is open")
        .isEqualTo(1);
  }

  @Test
  void shouldLeaveARowTheLoopStillReachesToTheLoopWhenTheSweepRunsBetweenTwoChecks()
      throws Exception {
    UUID execution = succeedsTenSecondsBeforeItsLimit("wf_sweep_between_checks");
    // Past the limit, the next check due: the sweep comes first.
    clock.advance(Duration.ofSeconds(605));

    assertThat(housekeeping.sweepTimeoutsNow()).isZero();
    cycle.runOnce().await().atMost(AWAIT);

    assertThat(fixtures.status(execution)).isEqualTo("SUCCESS");
  }

  @Test
  void shouldTimeOutARowNoCheckReachedByTheLeaseGraceAfterItsLimit() throws Exception {
    UUID execution = succeedsTenSecondsBeforeItsLimit("wf_sweep_unreached");
    // Deferred checks or no replica polling: nothing reached it for a minute past its limit.
    clock.advance(Duration.ofSeconds(600 + 60));

    assertThat(housekeeping.sweepTimeoutsNow()).isEqualTo(1);

    assertThat(fixtures.status(execution)).isEqualTo("TIMEOUT");
    assertThat(fixtures.events(execution)).endsWith("TRANSITION RUNNING->TIMEOUT");
  }

  /** RUNNING under a 10 min workflow limit; AMC runs it 590 s, so it SUCCEEDS before the limit. */
  private UUID succeedsTenSecondsBeforeItsLimit(String workflowId) {
    UUID workflow = fixtures.savedWorkflowWithLimits(workflowId, 600, 590);
    String remote =
        simulator.preload(
            Fixtures.INSTANCE,
            workflowId,
            ExecutionScript.succeeds(Duration.ZERO, Duration.ofSeconds(590), 1));
    UUID execution = fixtures.track(workflow, remote);
    cycle.runOnce().await().atMost(AWAIT);
    assertThat(fixtures.status(execution)).isEqualTo("RUNNING");
    return execution;
  }
}
