package io.executionpoller.poll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.executionpoller.simulator.AmcSimulator;
import io.executionpoller.simulator.Fault;
import io.executionpoller.simulator.Operation;
import io.executionpoller.support.Fixtures;
import io.executionpoller.support.PostgresResource;
import io.executionpoller.support.TestClock;
import io.executionpoller.support.TestPollConfig;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A stopping replica (as on SIGTERM) claims nothing more, gives the cycle in flight its grace, then
 * releases the leases it still holds; a check that outlives the grace cannot write after.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class GracefulStopTest {

  private static final Duration AWAIT = Duration.ofSeconds(60);

  @Inject AmcSimulator simulator;
  @Inject Fixtures fixtures;
  @Inject TestClock clock;

  private UUID execution;
  private String remoteId;

  @BeforeEach
  void runningExecution() {
    fixtures.reset();
    Fixtures.Tracked tracked = fixtures.trackLongRunning("wf_stopping");
    remoteId = tracked.remoteId();
    execution = tracked.execution();
  }

  @Test
  void shouldFinishTheCycleInFlightWithinTheGraceAndReleaseNothingItWrote() {
    PollCycle stopping = Cycles.build(TestPollConfig.defaults(), "replica-stopping");
    stopping.runOnce().await().atMost(AWAIT);
    assertThat(fixtures.status(execution)).isEqualTo("RUNNING");

    int released = stopping.stop(Duration.ofSeconds(5)).await().atMost(AWAIT);

    assertThat(released).isZero();
    clock.advance(Duration.ofSeconds(30));
    assertThat(stopping.runOnce().await().atMost(AWAIT).claimed())
        .as("a stopped replica claims nothing")
        .isZero();
    PollCycle other = Cycles.build(TestPollConfig.defaults(), "replica-other");
    assertThat(other.runOnce().await().atMost(AWAIT).claimed()).isEqualTo(1);
  }

  @Test
  void shouldReleaseTheLeasesOfChecksThatOutliveTheGraceAndRefuseTheirLateWrites()
      throws Exception {
    PollCycle stopping = Cycles.build(TestPollConfig.defaults(), "replica-stopping");
    simulator.scriptFaults(Operation.STATUS, remoteId, List.of(Fault.HANG));
    AtomicReference<CycleReport> report = new AtomicReference<>();
    stopping.runOnce().subscribe().with(report::set, failure -> {});
    await()
        .atMost(AWAIT)
        .until(() -> "replica-stopping".equals(fixtures.execution(execution).get("lease_owner")));
    long version = (Long) fixtures.execution(execution).get("version");

    int released = stopping.stop(Duration.ofMillis(100)).await().atMost(AWAIT);

    assertThat(released).isEqualTo(1);
    assertThat(fixtures.execution(execution).get("lease_owner")).isNull();
    assertThat((Long) fixtures.execution(execution).get("version")).isGreaterThan(version);
    // The hung call times out and the check ends; its outcome is refused (the row moved on).
    await().atMost(AWAIT).until(() -> report.get() != null);
    assertThat(report.get().lostWrites()).isEqualTo(1);
    assertThat(fixtures.status(execution)).isEqualTo("PENDING");
    assertThat(fixtures.execution(execution).get("lease_owner")).isNull();
  }
}
