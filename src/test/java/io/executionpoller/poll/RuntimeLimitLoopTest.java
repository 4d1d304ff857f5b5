package io.executionpoller.poll;

import static org.assertj.core.api.Assertions.assertThat;

import io.executionpoller.remote.AmcClient;
import io.executionpoller.remote.RemoteExecution;
import io.executionpoller.remote.RemoteTarget;
import io.executionpoller.simulator.AmcSimulator;
import io.executionpoller.simulator.ExecutionScript;
import io.executionpoller.support.Fixtures;
import io.executionpoller.support.PostgresResource;
import io.executionpoller.support.TestClock;
import io.executionpoller.support.TestPollConfig;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Per-execution runtime limits in the real loop: one LONG_EXECUTION warning, then TIMEOUT. */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class RuntimeLimitLoopTest {

  private static final Duration AWAIT = Duration.ofSeconds(60);

  @Inject PollCycle cycle;
  @Inject AmcSimulator simulator;
  @Inject Fixtures fixtures;
  @Inject TestClock clock;
  @Inject AmcClient amc;

  @BeforeEach
  void clean() {
    fixtures.reset();
  }

  private void checkEvery15SecondsFor(Duration span) {
    for (long waited = 0; waited < span.toSeconds(); waited += 15) {
      clock.advance(Duration.ofSeconds(15));
      cycle.runOnce().await().atMost(AWAIT);
    }
  }

  @Test
  void shouldWarnOnceAtTheThresholdAndTimeOutAtTheLimit() {
    UUID workflow = fixtures.savedWorkflowWithLimits("wf_slow", 600, 300);
    String remote =
        simulator.preload(
            Fixtures.INSTANCE,
            "wf_slow",
            ExecutionScript.succeeds(Duration.ZERO, Duration.ofHours(3), 1));
    UUID execution = fixtures.track(workflow, remote);
    cycle.runOnce().await().atMost(AWAIT);
    assertThat(fixtures.status(execution)).isEqualTo("RUNNING");

    checkEvery15SecondsFor(Duration.ofSeconds(285));
    assertThat(fixtures.events(execution)).doesNotContain("LONG_EXECUTION");

    checkEvery15SecondsFor(Duration.ofSeconds(120));
    assertThat(fixtures.events(execution).stream().filter("LONG_EXECUTION"::equals)).hasSize(1);
    assertThat(fixtures.execution(execution).get("long_execution_warned_at")).isNotNull();
    assertThat(fixtures.status(execution)).isEqualTo("RUNNING");

    checkEvery15SecondsFor(Duration.ofSeconds(210));

    assertThat(fixtures.status(execution)).isEqualTo("TIMEOUT");
    assertThat(fixtures.execution(execution).get("error_type")).isEqualTo("TIMEOUT_ERROR");
    assertThat(fixtures.events(execution).stream().filter("LONG_EXECUTION"::equals)).hasSize(1);
    assertThat(fixtures.events(execution)).endsWith("TRANSITION RUNNING->TIMEOUT");
    assertThat(fixtures.execution(execution).get("remote_status"))
        .as("AMC still runs it: timeout.cancel-remote is off by default")
        .isEqualTo("RUNNING");
  }

  @Test
  void shouldCancelTheRemoteExecutionOnTimeoutWhenAskedTo() {
    PollCycle cancelling =
        ReplicaLoops.build(TestPollConfig.defaults(), new CancellingTimeouts(), "cancelling");
    UUID workflow = fixtures.savedWorkflowWithLimits("wf_runaway", 60, 30);
    String remote =
        simulator.preload(
            Fixtures.INSTANCE,
            "wf_runaway",
            ExecutionScript.succeeds(Duration.ZERO, Duration.ofHours(3), 1));
    UUID execution = fixtures.track(workflow, remote);
    cancelling.runOnce().await().atMost(AWAIT);

    for (int check = 0; check < 5; check++) {
      clock.advance(Duration.ofSeconds(15));
      cancelling.runOnce().await().atMost(AWAIT);
    }

    assertThat(fixtures.status(execution)).isEqualTo("TIMEOUT");
    assertThat(fixtures.events(execution))
        .endsWith("TRANSITION RUNNING->TIMEOUT", "REMOTE_CANCELLED");
    RemoteExecution atAmc =
        amc.getExecution(
                new RemoteTarget(
                    Fixtures.INSTANCE, Fixtures.ADVERTISER, Fixtures.MARKETPLACE, null),
                remote)
            .await()
            .atMost(AWAIT);
    assertThat(atAmc.status()).isEqualTo("CANCELLED");
  }

  /** poller.timeout with cancel-remote on, the rest at its defaults. */
  private static final class CancellingTimeouts implements TimeoutConfig {
    @Override
    public Duration defaultMaxRuntime() {
      return Duration.ofHours(6);
    }

    @Override
    public Duration remoteTimeoutMargin() {
      return Duration.ofMinutes(15);
    }

    @Override
    public double warningFraction() {
      return 0.8;
    }

    @Override
    public boolean cancelRemote() {
      return true;
    }
  }
}
