package io.executionpoller.poll;

import static io.executionpoller.support.Api.operator;
import static org.assertj.core.api.Assertions.assertThat;

import io.executionpoller.simulator.AmcSimulator;
import io.executionpoller.simulator.ExecutionScript;
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
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Batched status reads through the real loop: real PostgreSQL, the simulator over HTTP, time moved
 * by hand. Each replica here lists from the first due check (min-due 1), so the counts are exact;
 * StatusReadRuleTest covers the choice itself.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class StatusListingTest {

  private static final Duration AWAIT = Duration.ofSeconds(60);
  private static final StatusReadRule.Settings LISTING =
      new StatusReadRule.Settings(true, 1, Duration.ofSeconds(10), Duration.ofHours(6), 5);
  private static final PollSchedule.Settings FIXED =
      PollSchedule.Settings.fixed(Duration.ofSeconds(15));

  @Inject AmcSimulator simulator;
  @Inject Fixtures fixtures;
  @Inject TestClock clock;
  @Inject WorkflowDurations durations;

  @BeforeEach
  void clean() {
    fixtures.reset();
  }

  private static PollCycle replica(StatusReadRule.Settings reads) {
    return ReplicaLoops.build(TestPollConfig.defaults(), "listing", reads, FIXED);
  }

  private static void run(PollCycle cycle) {
    cycle.runOnce().await().atMost(AWAIT);
  }

  /** {@code count} executions of one saved workflow, run by AMC for {@code running}, tracked. */
  private List<UUID> tracked(String workflow, int count, Duration running) {
    return fixtures
        .trackMany(workflow, count, i -> ExecutionScript.succeeds(Duration.ZERO, running, 1))
        .executions();
  }

  private int statusCalls() {
    return simulator.statusCallsByExecution().values().stream().mapToInt(Integer::intValue).sum();
  }

  private Map<UUID, String> statuses(List<UUID> executions) {
    Map<UUID, String> statuses = new HashMap<>();
    executions.forEach(id -> statuses.put(id, fixtures.status(id)));
    return statuses;
  }

  private String remoteId(UUID execution) {
    return (String) fixtures.execution(execution).get("amc_execution_id");
  }

  @Test
  void shouldAnswerEveryUnchangedCheckOfAnInstanceFromOneSharedListing() {
    List<UUID> executions = tracked("wf_many", 30, Duration.ofHours(2));
    PollCycle cycle = replica(LISTING);
    run(cycle);
    // Never observed before: every RUNNING the listing shows is a change, read by a GET.
    assertThat(statusCalls()).isEqualTo(30);
    assertThat(simulator.listCalls()).isEqualTo(1);
    // AMC runs ten at a time: the others wait PENDING.
    Map<UUID, String> observed = statuses(executions);
    assertThat(observed.values()).containsOnly("RUNNING", "PENDING").contains("RUNNING");

    clock.advance(Duration.ofSeconds(20));
    Instant checkedAt = clock.instant();
    run(cycle);

    // Thirty checks, ten at a time, one listing call between them, and not one GET.
    assertThat(simulator.listCalls()).isEqualTo(2);
    assertThat(statusCalls()).isEqualTo(30);
    for (UUID id : executions) {
      assertThat(fixtures.instant(id, "next_poll_at")).isEqualTo(checkedAt.plusSeconds(15));
    }
    assertThat(statuses(executions)).isEqualTo(observed);
  }

  @Test
  void shouldConfirmAChangeTheListingReportsWithOneGetOfThatExecution() {
    UUID quick = tracked("wf_quick", 1, Duration.ofSeconds(30)).get(0);
    List<UUID> slow = tracked("wf_slow", 3, Duration.ofHours(2));
    PollCycle cycle = replica(LISTING);
    run(cycle);
    int before = simulator.statusCalls(remoteId(quick));

    clock.advance(Duration.ofSeconds(40));
    run(cycle);

    assertThat(fixtures.status(quick)).isEqualTo("SUCCESS");
    assertThat(simulator.statusCalls(remoteId(quick))).isEqualTo(before + 1);
    slow.forEach(id -> assertThat(simulator.statusCalls(remoteId(id))).isEqualTo(1));
    assertThat(simulator.listCalls()).isEqualTo(2);
  }

  @Test
  void shouldApplyTheGetWhenALaggingListingDisagreesWithIt() {
    simulator.setListingLag(Duration.ofSeconds(60));
    UUID execution = tracked("wf_lagging", 1, Duration.ofHours(2)).get(0);
    PollCycle cycle = replica(LISTING);
    clock.advance(Duration.ofSeconds(20));
    run(cycle);
    assertThat(fixtures.status(execution)).isEqualTo("RUNNING");

    // The listing still shows the run PENDING, as it stood a minute ago; AMC's GET says RUNNING.
    clock.advance(Duration.ofSeconds(20));
    run(cycle);

    assertThat(simulator.statusCalls(remoteId(execution))).isEqualTo(2);
    assertThat(fixtures.execution(execution).get("remote_status")).isEqualTo("RUNNING");
    assertThat(fixtures.events(execution)).doesNotContain("TRANSITION_REJECTED RUNNING->PENDING");
    assertThat(fixtures.events(execution))
        .noneMatch(event -> event.startsWith("TRANSITION_REJECTED"));
  }

  @Test
  void shouldReadEveryPageOfAListingAndSinglyWhatLiesBeyondItsPageBound() {
    List<UUID> executions = tracked("wf_paged", 150, Duration.ofHours(2));
    PollCycle allPages = replica(LISTING);
    run(allPages);
    Map<UUID, String> observed = statuses(executions);
    int afterFirst = statusCalls();
    int listsAfterFirst = simulator.listCalls();

    clock.advance(Duration.ofSeconds(20));
    run(allPages);
    assertThat(simulator.listCalls() - listsAfterFirst).isEqualTo(2);
    assertThat(statusCalls()).isEqualTo(afterFirst);

    // One page read at most: the 50 newest are not listed and are read one by one.
    PollCycle onePage =
        replica(
            new StatusReadRule.Settings(true, 1, Duration.ofSeconds(10), Duration.ofHours(6), 1));
    clock.advance(Duration.ofSeconds(20));
    run(onePage);
    assertThat(simulator.listCalls() - listsAfterFirst).isEqualTo(3);
    assertThat(statusCalls() - afterFirst).isEqualTo(50);
    List<UUID> newest = executions.subList(100, 150);
    newest.forEach(id -> assertThat(simulator.statusCalls(remoteId(id))).isEqualTo(2));
    assertThat(statuses(executions)).isEqualTo(observed);
  }

  @Test
  void shouldReadSinglyAnExecutionMissingFromTheListing() {
    UUID old = tracked("wf_old", 1, Duration.ofHours(12)).get(0);
    clock.advance(Duration.ofHours(7));
    List<UUID> recent = tracked("wf_recent", 3, Duration.ofHours(2));
    PollCycle cycle = replica(LISTING);
    run(cycle);

    clock.advance(Duration.ofSeconds(20));
    run(cycle);

    // Created seven hours ago, before the six-hour window: not listed, so read by a GET.
    assertThat(simulator.statusCalls(remoteId(old))).isEqualTo(2);
    recent.forEach(id -> assertThat(simulator.statusCalls(remoteId(id))).isEqualTo(1));
    assertThat(fixtures.status(old)).isEqualTo("RUNNING");
    assertThat(fixtures.instant(old, "next_poll_at")).isEqualTo(clock.instant().plusSeconds(15));
  }

  @Test
  void shouldReadSinglyWhenTheListingFails() {
    List<UUID> executions = tracked("wf_unlisted", 4, Duration.ofHours(2));
    PollCycle cycle = replica(LISTING);
    run(cycle);
    simulator.scriptFaults(
        Operation.LIST, Fixtures.INSTANCE, Collections.nCopies(10, Fault.ERROR_500));

    clock.advance(Duration.ofSeconds(20));
    run(cycle);

    for (UUID id : executions) {
      assertThat(simulator.statusCalls(remoteId(id))).isEqualTo(2);
      assertThat(fixtures.intColumn(id, "consecutive_poll_errors")).isZero();
      assertThat(fixtures.events(id)).noneMatch(event -> event.startsWith("CHECK_FAILED"));
    }
  }

  @Test
  void shouldReadSinglyWhenTooFewChecksOfTheInstanceAreDue() {
    List<UUID> executions = tracked("wf_few", 2, Duration.ofHours(2));
    PollCycle cycle =
        replica(
            new StatusReadRule.Settings(true, 3, Duration.ofSeconds(10), Duration.ofHours(6), 5));
    run(cycle);
    clock.advance(Duration.ofSeconds(20));
    run(cycle);

    assertThat(simulator.listCalls()).isZero();
    executions.forEach(id -> assertThat(simulator.statusCalls(remoteId(id))).isEqualTo(2));
  }

  @Test
  void shouldCountAnExecutionCheckedAgainAfterAFailureOnceTowardsTheListing() {
    UUID execution = tracked("wf_retried", 1, Duration.ofHours(2)).get(0);
    PollCycle cycle =
        replica(
            new StatusReadRule.Settings(true, 2, Duration.ofMinutes(1), Duration.ofHours(6), 5));
    run(cycle);
    String remoteId = remoteId(execution);
    simulator.scriptFaults(Operation.STATUS, remoteId, Collections.nCopies(3, Fault.ERROR_500));
    clock.advance(Duration.ofSeconds(15));
    run(cycle);
    assertThat(fixtures.intColumn(execution, "consecutive_poll_errors")).isEqualTo(1);

    // Checked again within the same listing life: still one execution of the instance, so a GET.
    clock.set(fixtures.instant(execution, "next_poll_at"));
    run(cycle);

    assertThat(simulator.listCalls()).isZero();
    assertThat(simulator.statusCalls(remoteId)).isEqualTo(5);
    assertThat(fixtures.intColumn(execution, "consecutive_poll_errors")).isZero();
  }

  @Test
  void shouldWaitLongerForAnExecutionAsItRunsAndStillCheckAtOnceWhenAsked() {
    UUID execution = tracked("wf_adaptive", 1, Duration.ofHours(2)).get(0);
    PollSchedule.Settings adaptive =
        new PollSchedule.Settings(
            true,
            Duration.ofSeconds(15),
            Duration.ofSeconds(15),
            Duration.ofMinutes(5),
            0.1,
            Duration.ofMinutes(1),
            0.75,
            0.05,
            new TypicalRun(Duration.ofMinutes(15), Duration.ofMinutes(45)),
            Duration.ZERO);
    PollCycle cycle =
        ReplicaLoops.build(
            TestPollConfig.defaults(), "adaptive", StatusReadRule.Settings.off(), adaptive);
    run(cycle);
    Instant started = clock.instant();
    assertThat(fixtures.instant(execution, "next_poll_at")).isEqualTo(started.plusSeconds(15));

    clock.advance(Duration.ofHours(1));
    run(cycle);
    // Past the usual finish (45 min): a tenth of its hour, capped at five minutes.
    assertThat(fixtures.instant(execution, "next_poll_at"))
        .isEqualTo(clock.instant().plus(Duration.ofMinutes(5)));

    clock.advance(Duration.ofSeconds(30));
    operator().post("/api/v1/executions/" + execution + "/poll").then().statusCode(202);
    int before = simulator.statusCalls(remoteId(execution));
    run(cycle);
    assertThat(simulator.statusCalls(remoteId(execution))).isEqualTo(before + 1);
  }

  @Test
  void shouldLearnAWorkflowsUsualRunTimeFromItsRecordedRuns() {
    List<UUID> runs = tracked("wf_learned", 6, Duration.ofHours(2));
    UUID workflow = (UUID) fixtures.execution(runs.get(0)).get("workflow_id");
    for (int i = 0; i < runs.size(); i++) {
      fixtures.update(
          "UPDATE workflow_executions SET status = 'SUCCESS', completed_at = '"
              + clock.instant()
              + "', execution_duration = "
              + (60 * (i + 1))
              + " WHERE id = '"
              + runs.get(i)
              + "'");
    }
    durations.refresh().await().atMost(AWAIT);

    TypicalRun learned = durations.of(workflow);
    assertThat(learned.median()).isEqualTo(Duration.ofSeconds(210));
    assertThat(learned.p90()).isEqualTo(Duration.ofSeconds(330));
  }
}
