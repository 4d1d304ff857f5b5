package io.executionpoller.execution;

import static io.executionpoller.execution.ExecutionStatus.CANCELLED;
import static io.executionpoller.execution.ExecutionStatus.FAILED;
import static io.executionpoller.execution.ExecutionStatus.PENDING;
import static io.executionpoller.execution.ExecutionStatus.RUNNING;
import static io.executionpoller.execution.ExecutionStatus.SUCCESS;
import static io.executionpoller.execution.ExecutionStatus.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The state machine against explicit tables. Every expectation below is written out by hand; none
 * is computed with the code under test.
 */
class ExecutionStateMachineTest {

  // ---------------------------------------------------------------------------------------------
  // Helpers that build expected decisions; they never call ExecutionStateMachine.

  private static Transition step(ExecutionStatus from, ExecutionStatus to) {
    return new Transition(from, to);
  }

  private static Decision unchanged() {
    return new Decision.Unchanged();
  }

  private static Decision advance(Transition... steps) {
    return new Decision.Advance(List.of(steps));
  }

  private static Decision rejected(ExecutionStatus from, ExecutionStatus to) {
    return new Decision.Rejected(step(from, to));
  }

  private static Decision unknown(String raw) {
    return new Decision.UnknownRemoteStatus(raw);
  }

  private static Arguments row(ExecutionStatus local, String remote, Decision expected) {
    return Arguments.of(local, remote, expected);
  }

  // ---------------------------------------------------------------------------------------------
  // decide(local, remote string): the full local x remote table.

  static Stream<Arguments> everyLocalAndRemoteStatus() {
    return Stream.of(
        // PENDING
        row(PENDING, "PENDING", unchanged()),
        row(PENDING, "RUNNING", advance(step(PENDING, RUNNING))),
        row(PENDING, "PUBLISHING", advance(step(PENDING, RUNNING))),
        row(PENDING, "SUCCEEDED", advance(step(PENDING, RUNNING), step(RUNNING, SUCCESS))),
        row(PENDING, "FAILED", advance(step(PENDING, FAILED))),
        row(PENDING, "REJECTED", advance(step(PENDING, FAILED))),
        row(PENDING, "CANCELLED", advance(step(PENDING, CANCELLED))),
        row(PENDING, "ARCHIVED", unknown("ARCHIVED")),
        row(PENDING, "", unknown("")),
        row(PENDING, null, unknown(null)),
        row(PENDING, "succeeded", advance(step(PENDING, RUNNING), step(RUNNING, SUCCESS))),
        row(PENDING, " Running ", advance(step(PENDING, RUNNING))),
        // RUNNING
        row(RUNNING, "PENDING", rejected(RUNNING, PENDING)),
        row(RUNNING, "RUNNING", unchanged()),
        row(RUNNING, "PUBLISHING", unchanged()),
        row(RUNNING, "SUCCEEDED", advance(step(RUNNING, SUCCESS))),
        row(RUNNING, "FAILED", advance(step(RUNNING, FAILED))),
        row(RUNNING, "REJECTED", advance(step(RUNNING, FAILED))),
        row(RUNNING, "CANCELLED", advance(step(RUNNING, CANCELLED))),
        row(RUNNING, "ARCHIVED", unknown("ARCHIVED")),
        row(RUNNING, "", unknown("")),
        row(RUNNING, null, unknown(null)),
        row(RUNNING, "succeeded", advance(step(RUNNING, SUCCESS))),
        row(RUNNING, " Running ", unchanged()),
        // SUCCESS
        row(SUCCESS, "PENDING", rejected(SUCCESS, PENDING)),
        row(SUCCESS, "RUNNING", rejected(SUCCESS, RUNNING)),
        row(SUCCESS, "PUBLISHING", rejected(SUCCESS, RUNNING)),
        row(SUCCESS, "SUCCEEDED", unchanged()),
        row(SUCCESS, "FAILED", rejected(SUCCESS, FAILED)),
        row(SUCCESS, "REJECTED", rejected(SUCCESS, FAILED)),
        row(SUCCESS, "CANCELLED", rejected(SUCCESS, CANCELLED)),
        row(SUCCESS, "ARCHIVED", unknown("ARCHIVED")),
        row(SUCCESS, "", unknown("")),
        row(SUCCESS, null, unknown(null)),
        row(SUCCESS, "succeeded", unchanged()),
        row(SUCCESS, " Running ", rejected(SUCCESS, RUNNING)),
        // FAILED
        row(FAILED, "PENDING", rejected(FAILED, PENDING)),
        row(FAILED, "RUNNING", rejected(FAILED, RUNNING)),
        row(FAILED, "PUBLISHING", rejected(FAILED, RUNNING)),
        row(FAILED, "SUCCEEDED", rejected(FAILED, SUCCESS)),
        row(FAILED, "FAILED", unchanged()),
        row(FAILED, "REJECTED", unchanged()),
        row(FAILED, "CANCELLED", rejected(FAILED, CANCELLED)),
        row(FAILED, "ARCHIVED", unknown("ARCHIVED")),
        row(FAILED, "", unknown("")),
        row(FAILED, null, unknown(null)),
        row(FAILED, "succeeded", rejected(FAILED, SUCCESS)),
        row(FAILED, " Running ", rejected(FAILED, RUNNING)),
        // CANCELLED
        row(CANCELLED, "PENDING", rejected(CANCELLED, PENDING)),
        row(CANCELLED, "RUNNING", rejected(CANCELLED, RUNNING)),
        row(CANCELLED, "PUBLISHING", rejected(CANCELLED, RUNNING)),
        row(CANCELLED, "SUCCEEDED", rejected(CANCELLED, SUCCESS)),
        row(CANCELLED, "FAILED", rejected(CANCELLED, FAILED)),
        row(CANCELLED, "REJECTED", rejected(CANCELLED, FAILED)),
        row(CANCELLED, "CANCELLED", unchanged()),
        row(CANCELLED, "ARCHIVED", unknown("ARCHIVED")),
        row(CANCELLED, "", unknown("")),
        row(CANCELLED, null, unknown(null)),
        row(CANCELLED, "succeeded", rejected(CANCELLED, SUCCESS)),
        row(CANCELLED, " Running ", rejected(CANCELLED, RUNNING)),
        // TIMEOUT: no AMC status maps to TIMEOUT, so nothing is ever Unchanged here.
        row(TIMEOUT, "PENDING", rejected(TIMEOUT, PENDING)),
        row(TIMEOUT, "RUNNING", rejected(TIMEOUT, RUNNING)),
        row(TIMEOUT, "PUBLISHING", rejected(TIMEOUT, RUNNING)),
        row(TIMEOUT, "SUCCEEDED", rejected(TIMEOUT, SUCCESS)),
        row(TIMEOUT, "FAILED", rejected(TIMEOUT, FAILED)),
        row(TIMEOUT, "REJECTED", rejected(TIMEOUT, FAILED)),
        row(TIMEOUT, "CANCELLED", rejected(TIMEOUT, CANCELLED)),
        row(TIMEOUT, "ARCHIVED", unknown("ARCHIVED")),
        row(TIMEOUT, "", unknown("")),
        row(TIMEOUT, null, unknown(null)),
        row(TIMEOUT, "succeeded", rejected(TIMEOUT, SUCCESS)),
        row(TIMEOUT, " Running ", rejected(TIMEOUT, RUNNING)));
  }

  @ParameterizedTest(name = "local {0} observing remote [{1}] -> {2}")
  @MethodSource("everyLocalAndRemoteStatus")
  void shouldDecideExactlyAsTheTableSaysForEveryLocalAndRemoteStatus(
      ExecutionStatus local, String remote, Decision expected) {
    assertThat(ExecutionStateMachine.decide(local, remote)).isEqualTo(expected);
  }

  @Test
  void shouldCoverEveryLocalStatusWithEveryRemoteStatusInTheTable() {
    List<Object[]> rows = new ArrayList<>();
    everyLocalAndRemoteStatus().forEach(arguments -> rows.add(arguments.get()));
    Set<ExecutionStatus> locals = EnumSet.noneOf(ExecutionStatus.class);
    rows.forEach(r -> locals.add((ExecutionStatus) r[0]));

    assertThat(locals).containsExactlyInAnyOrder(ExecutionStatus.values());
    assertThat(rows).hasSize(ExecutionStatus.values().length * 12);
  }

  // ---------------------------------------------------------------------------------------------
  // isAllowed: all 36 pairs.

  @ParameterizedTest(name = "{0} -> {1} allowed: {2}")
  @CsvSource({
    "PENDING,   PENDING,   false",
    "PENDING,   RUNNING,   true",
    "PENDING,   SUCCESS,   false",
    "PENDING,   FAILED,    true",
    "PENDING,   CANCELLED, true",
    "PENDING,   TIMEOUT,   false",
    "RUNNING,   PENDING,   false",
    "RUNNING,   RUNNING,   false",
    "RUNNING,   SUCCESS,   true",
    "RUNNING,   FAILED,    true",
    "RUNNING,   CANCELLED, true",
    "RUNNING,   TIMEOUT,   true",
    "SUCCESS,   PENDING,   false",
    "SUCCESS,   RUNNING,   false",
    "SUCCESS,   SUCCESS,   false",
    "SUCCESS,   FAILED,    false",
    "SUCCESS,   CANCELLED, false",
    "SUCCESS,   TIMEOUT,   false",
    "FAILED,    PENDING,   false",
    "FAILED,    RUNNING,   false",
    "FAILED,    SUCCESS,   false",
    "FAILED,    FAILED,    false",
    "FAILED,    CANCELLED, false",
    "FAILED,    TIMEOUT,   false",
    "CANCELLED, PENDING,   false",
    "CANCELLED, RUNNING,   false",
    "CANCELLED, SUCCESS,   false",
    "CANCELLED, FAILED,    false",
    "CANCELLED, CANCELLED, false",
    "CANCELLED, TIMEOUT,   false",
    "TIMEOUT,   PENDING,   false",
    "TIMEOUT,   RUNNING,   false",
    "TIMEOUT,   SUCCESS,   false",
    "TIMEOUT,   FAILED,    false",
    "TIMEOUT,   CANCELLED, false",
    "TIMEOUT,   TIMEOUT,   false",
  })
  void shouldAllowOnlyTheDocumentedDirectTransitions(
      ExecutionStatus from, ExecutionStatus to, boolean allowed) {
    assertThat(ExecutionStateMachine.isAllowed(from, to)).isEqualTo(allowed);
  }

  // ---------------------------------------------------------------------------------------------
  // One readable test per from-status, through decide(current, ExecutionStatus target).

  @Test
  void shouldAdvancePendingDirectlyOrThroughRunningButNeverToTimeout() {
    assertThat(ExecutionStateMachine.decide(PENDING, PENDING)).isEqualTo(unchanged());
    assertThat(ExecutionStateMachine.decide(PENDING, RUNNING))
        .isEqualTo(advance(step(PENDING, RUNNING)));
    assertThat(ExecutionStateMachine.decide(PENDING, FAILED))
        .isEqualTo(advance(step(PENDING, FAILED)));
    assertThat(ExecutionStateMachine.decide(PENDING, CANCELLED))
        .isEqualTo(advance(step(PENDING, CANCELLED)));
    assertThat(ExecutionStateMachine.decide(PENDING, SUCCESS))
        .isEqualTo(advance(step(PENDING, RUNNING), step(RUNNING, SUCCESS)));
    assertThat(ExecutionStateMachine.decide(PENDING, TIMEOUT))
        .isEqualTo(rejected(PENDING, TIMEOUT));
  }

  @Test
  void shouldAdvanceRunningToEveryTerminalStatusAndRejectGoingBackToPending() {
    assertThat(ExecutionStateMachine.decide(RUNNING, RUNNING)).isEqualTo(unchanged());
    assertThat(ExecutionStateMachine.decide(RUNNING, SUCCESS))
        .isEqualTo(advance(step(RUNNING, SUCCESS)));
    assertThat(ExecutionStateMachine.decide(RUNNING, FAILED))
        .isEqualTo(advance(step(RUNNING, FAILED)));
    assertThat(ExecutionStateMachine.decide(RUNNING, TIMEOUT))
        .isEqualTo(advance(step(RUNNING, TIMEOUT)));
    assertThat(ExecutionStateMachine.decide(RUNNING, CANCELLED))
        .isEqualTo(advance(step(RUNNING, CANCELLED)));
    assertThat(ExecutionStateMachine.decide(RUNNING, PENDING))
        .isEqualTo(rejected(RUNNING, PENDING));
  }

  @Test
  void shouldKeepSuccessFinalAndRejectEveryOtherStatus() {
    assertThat(ExecutionStateMachine.decide(SUCCESS, SUCCESS)).isEqualTo(unchanged());
    assertThat(ExecutionStateMachine.decide(SUCCESS, PENDING))
        .isEqualTo(rejected(SUCCESS, PENDING));
    assertThat(ExecutionStateMachine.decide(SUCCESS, RUNNING))
        .isEqualTo(rejected(SUCCESS, RUNNING));
    assertThat(ExecutionStateMachine.decide(SUCCESS, FAILED)).isEqualTo(rejected(SUCCESS, FAILED));
    assertThat(ExecutionStateMachine.decide(SUCCESS, CANCELLED))
        .isEqualTo(rejected(SUCCESS, CANCELLED));
    assertThat(ExecutionStateMachine.decide(SUCCESS, TIMEOUT))
        .isEqualTo(rejected(SUCCESS, TIMEOUT));
  }

  @Test
  void shouldKeepFailedFinalAndRejectEveryOtherStatus() {
    assertThat(ExecutionStateMachine.decide(FAILED, FAILED)).isEqualTo(unchanged());
    assertThat(ExecutionStateMachine.decide(FAILED, PENDING)).isEqualTo(rejected(FAILED, PENDING));
    assertThat(ExecutionStateMachine.decide(FAILED, RUNNING)).isEqualTo(rejected(FAILED, RUNNING));
    assertThat(ExecutionStateMachine.decide(FAILED, SUCCESS)).isEqualTo(rejected(FAILED, SUCCESS));
    assertThat(ExecutionStateMachine.decide(FAILED, CANCELLED))
        .isEqualTo(rejected(FAILED, CANCELLED));
    assertThat(ExecutionStateMachine.decide(FAILED, TIMEOUT)).isEqualTo(rejected(FAILED, TIMEOUT));
  }

  @Test
  void shouldKeepCancelledFinalAndRejectEveryOtherStatus() {
    assertThat(ExecutionStateMachine.decide(CANCELLED, CANCELLED)).isEqualTo(unchanged());
    assertThat(ExecutionStateMachine.decide(CANCELLED, PENDING))
        .isEqualTo(rejected(CANCELLED, PENDING));
    assertThat(ExecutionStateMachine.decide(CANCELLED, RUNNING))
        .isEqualTo(rejected(CANCELLED, RUNNING));
    assertThat(ExecutionStateMachine.decide(CANCELLED, SUCCESS))
        .isEqualTo(rejected(CANCELLED, SUCCESS));
    assertThat(ExecutionStateMachine.decide(CANCELLED, FAILED))
        .isEqualTo(rejected(CANCELLED, FAILED));
    assertThat(ExecutionStateMachine.decide(CANCELLED, TIMEOUT))
        .isEqualTo(rejected(CANCELLED, TIMEOUT));
  }

  @Test
  void shouldKeepTimeoutFinalAndRejectEveryOtherStatus() {
    assertThat(ExecutionStateMachine.decide(TIMEOUT, TIMEOUT)).isEqualTo(unchanged());
    assertThat(ExecutionStateMachine.decide(TIMEOUT, PENDING))
        .isEqualTo(rejected(TIMEOUT, PENDING));
    assertThat(ExecutionStateMachine.decide(TIMEOUT, RUNNING))
        .isEqualTo(rejected(TIMEOUT, RUNNING));
    assertThat(ExecutionStateMachine.decide(TIMEOUT, SUCCESS))
        .isEqualTo(rejected(TIMEOUT, SUCCESS));
    assertThat(ExecutionStateMachine.decide(TIMEOUT, FAILED)).isEqualTo(rejected(TIMEOUT, FAILED));
    assertThat(ExecutionStateMachine.decide(TIMEOUT, CANCELLED))
        .isEqualTo(rejected(TIMEOUT, CANCELLED));
  }

  // ---------------------------------------------------------------------------------------------
  // Specific rules called out on their own.

  @Test
  void shouldWalkThroughRunningWhenPendingObservesSucceeded() {
    Decision decision = ExecutionStateMachine.decide(PENDING, "SUCCEEDED");

    assertThat(decision).isInstanceOf(Decision.Advance.class);
    Decision.Advance advance = (Decision.Advance) decision;
    assertThat(advance.steps()).containsExactly(step(PENDING, RUNNING), step(RUNNING, SUCCESS));
    assertThat(advance.target()).isEqualTo(SUCCESS);
  }

  @Test
  void shouldNeverWalkThroughRunningToTimeoutFromPending() {
    assertThat(ExecutionStateMachine.decide(PENDING, TIMEOUT))
        .isEqualTo(new Decision.Rejected(new Transition(PENDING, TIMEOUT)));
  }

  @Test
  void shouldRejectRunningGoingBackToPending() {
    assertThat(ExecutionStateMachine.decide(RUNNING, "PENDING"))
        .isEqualTo(new Decision.Rejected(new Transition(RUNNING, PENDING)));
  }

  @ParameterizedTest(name = "[{0}]")
  @CsvSource(
      value = {"ARCHIVED", "''", "'   '", "SUCCESS", "COMPLETED", "TIMEOUT", "CANCELED", "NULL"},
      nullValues = "NULL")
  void shouldReportTheRawTextOfAnUnknownRemoteStatus(String raw) {
    for (ExecutionStatus local : ExecutionStatus.values()) {
      assertThat(ExecutionStateMachine.decide(local, raw))
          .as("local %s", local)
          .isEqualTo(new Decision.UnknownRemoteStatus(raw));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // ExecutionStatus, Decision and Transition themselves.

  @ParameterizedTest(name = "{0} terminal: {1}")
  @CsvSource({
    "PENDING,   false",
    "RUNNING,   false",
    "SUCCESS,   true",
    "FAILED,    true",
    "CANCELLED, true",
    "TIMEOUT,   true",
  })
  void shouldMarkOnlyFinishedStatusesTerminal(ExecutionStatus status, boolean terminal) {
    assertThat(status.isTerminal()).isEqualTo(terminal);
  }

  @ParameterizedTest
  @EnumSource(
      value = ExecutionStatus.class,
      names = {"SUCCESS", "FAILED", "CANCELLED", "TIMEOUT"})
  void shouldAllowNoTransitionOutOfATerminalStatus(ExecutionStatus terminal) {
    for (ExecutionStatus to : ExecutionStatus.values()) {
      assertThat(ExecutionStateMachine.isAllowed(terminal, to))
          .as("%s -> %s", terminal, to)
          .isFalse();
    }
  }

  @Test
  void shouldRefuseAnAdvanceWithoutSteps() {
    List<Transition> none = List.of();

    assertThatThrownBy(() -> new Decision.Advance(none))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least one step");
  }

  @Test
  void shouldCopyTheStepsOfAnAdvanceSoLaterChangesDoNotLeakIn() {
    List<Transition> steps = new ArrayList<>(List.of(step(PENDING, RUNNING)));
    Decision.Advance advance = new Decision.Advance(steps);

    steps.add(step(RUNNING, SUCCESS));

    assertThat(advance.steps()).containsExactly(step(PENDING, RUNNING));
    assertThat(advance.target()).isEqualTo(RUNNING);
    assertThatThrownBy(() -> advance.steps().add(step(RUNNING, FAILED)))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void shouldNameTheTargetOfAnAdvanceAfterItsLastStep() {
    assertThat(
            new Decision.Advance(List.of(step(PENDING, RUNNING), step(RUNNING, FAILED))).target())
        .isEqualTo(FAILED);
  }

  @Test
  void shouldPrintATransitionAsFromArrowTo() {
    assertThat(step(PENDING, RUNNING)).hasToString("PENDING->RUNNING");
    assertThat(step(RUNNING, TIMEOUT)).hasToString("RUNNING->TIMEOUT");
  }

  @ParameterizedTest(name = "RETRY from {0}: {1}")
  @CsvSource({
    "PENDING, true",
    "RUNNING, true",
    "SUCCESS, false",
    "FAILED, false",
    "CANCELLED, false",
    "TIMEOUT, false",
  })
  void shouldAllowRetryOnlyFromActiveStatuses(ExecutionStatus from, boolean allowed) {
    assertThat(ExecutionStateMachine.canRetry(from)).isEqualTo(allowed);
  }
}
