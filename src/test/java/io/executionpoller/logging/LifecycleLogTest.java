package io.executionpoller.logging;

import static org.assertj.core.api.Assertions.assertThat;

import io.executionpoller.poll.PollCycle;
import io.executionpoller.simulator.AmcSimulator;
import io.executionpoller.simulator.ExecutionScript;
import io.executionpoller.support.Downloads;
import io.executionpoller.support.Fixtures;
import io.executionpoller.support.PostgresResource;
import io.executionpoller.support.TestClock;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The lifecycle lines as an operator reads them: one per step, with the execution's ids in the MDC
 * (the JSON fields) and in the text, at the documented level; and nothing at INFO from a daemon
 * with nothing to report.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class LifecycleLogTest {

  private static final Duration AWAIT = Duration.ofSeconds(60);

  @Inject PollCycle cycle;
  @Inject AmcSimulator simulator;
  @Inject Fixtures fixtures;
  @Inject TestClock clock;
  @Inject Downloads downloads;

  @BeforeEach
  void clean() {
    downloads.awaitIdle();
    fixtures.reset();
  }

  @Test
  void shouldLogEachLifecycleStepOnceWithTheExecutionsIdsInTheMdcAndTheText() throws Exception {
    try (CapturedLog log = CapturedLog.open(org.jboss.logmanager.Level.DEBUG)) {
      simulator.scriptFor(
          "wf_l_ok", ExecutionScript.succeeds(Duration.ofSeconds(20), Duration.ofSeconds(40), 2));
      simulator.scriptFor(
          "wf_l_retry",
          ExecutionScript.failsWithInternalError(Duration.ofSeconds(20), Duration.ofSeconds(40)));
      UUID okWorkflow = fixtures.savedWorkflow("wf_l_ok");
      UUID ok = fixtures.submit(okWorkflow);
      UUID retryWorkflow = fixtures.savedWorkflow("wf_l_retry");
      UUID retried = fixtures.submit(retryWorkflow);
      // RUNNING from the first check; warned at 60 s, timed out at 120 s.
      UUID slowWorkflow = fixtures.savedWorkflowWithLimits("wf_l_slow", 120, 60);
      String slowRemote =
          simulator.preload(
              Fixtures.INSTANCE,
              "wf_l_slow",
              ExecutionScript.succeeds(Duration.ZERO, Duration.ofHours(2), 1));
      UUID slow = fixtures.track(slowWorkflow, slowRemote);

      runOnce(); // t=0: ok and retried submitted; slow PENDING -> RUNNING
      clock.advance(Duration.ofSeconds(30));
      runOnce(); // t=30: ok and retried PENDING -> RUNNING
      clock.advance(Duration.ofSeconds(45));
      runOnce(); // t=75: ok SUCCESS, retried RETRY, slow LONG_EXECUTION
      clock.advance(Duration.ofSeconds(60));
      runOnce(); // t=135: slow TIMEOUT (retried is resubmitted)
      downloads.downloadAll();
      String okRemote = remoteId(ok);
      Lines okLines = new Lines(log.lines(), ok, okWorkflow);
      assertThat(okLines.of("EXEC_REGISTERED"))
          .singleElement()
          .satisfies(line -> assertThat(line.level()).isEqualTo(org.jboss.logmanager.Level.INFO))
          .satisfies(line -> assertThat(line.mdc()).doesNotContainKey(ExecutionLog.REMOTE));
      assertThat(okLines.of("EXEC_SUBMITTED"))
          .singleElement()
          .satisfies(line -> assertThat(line.level()).isEqualTo(org.jboss.logmanager.Level.INFO))
          .satisfies(line -> assertThat(line.mdc()).containsEntry(ExecutionLog.REMOTE, okRemote))
          .satisfies(line -> assertThat(line.message()).contains("remote=" + okRemote));
      assertThat(okLines.of("EXEC_TRANSITION"))
          .extracting(CapturedLog.Line::message)
          .satisfiesExactly(
              message -> assertThat(message).contains("from=PENDING to=RUNNING"),
              message -> assertThat(message).contains("from=RUNNING to=SUCCESS"));
      assertThat(okLines.of("EXEC_CHECK"))
          .as("one per check, at DEBUG")
          .hasSize(3)
          .allSatisfy(line -> assertThat(line.level()).isEqualTo(org.jboss.logmanager.Level.DEBUG))
          .extracting(CapturedLog.Line::message)
          .satisfiesExactly(
              message -> assertThat(message).contains("outcome=submitted durationMs="),
              message -> assertThat(message).contains("outcome=transition durationMs="),
              message -> assertThat(message).contains("outcome=transition durationMs="));
      assertThat(okLines.of("RESULT_STORED"))
          .singleElement()
          .satisfies(line -> assertThat(line.mdc()).containsEntry(ExecutionLog.REMOTE, okRemote))
          .satisfies(line -> assertThat(line.message()).contains("rows=2"));

      Lines retryLines = new Lines(log.lines(), retried, retryWorkflow);
      assertThat(retryLines.of("RETRY_SCHEDULED"))
          .singleElement()
          .satisfies(line -> assertThat(line.level()).isEqualTo(org.jboss.logmanager.Level.INFO))
          .satisfies(line -> assertThat(line.message()).contains("type=AMC_API_ERROR"));

      Lines slowLines = new Lines(log.lines(), slow, slowWorkflow);
      assertThat(slowLines.of("LONG_EXECUTION"))
          .singleElement()
          .satisfies(line -> assertThat(line.level()).isEqualTo(org.jboss.logmanager.Level.WARN));
      assertThat(slowLines.of("EXEC_TIMEOUT"))
          .singleElement()
          .satisfies(line -> assertThat(line.level()).isEqualTo(org.jboss.logmanager.Level.WARN))
          .satisfies(line -> assertThat(line.message()).contains("from=RUNNING to=TIMEOUT"))
          .satisfies(line -> assertThat(line.mdc()).containsEntry(ExecutionLog.REMOTE, slowRemote));
      assertThat(slowLines.of("EXEC_TRANSITION"))
          .as("a timeout is logged as EXEC_TIMEOUT, not twice")
          .extracting(CapturedLog.Line::message)
          .noneMatch(message -> message.contains("to=TIMEOUT"));

      assertThat(log.lines())
          .as("no credential or presigned URL signature in any line")
          .extracting(CapturedLog.Line::message)
          .noneMatch(
              message ->
                  message.contains("sim-secret")
                      || message.contains("Atzr|")
                      || message.contains("X-Amz-Signature")
                      || message.contains("Bearer "));
    }
  }

  @Test
  void shouldLogNothingAtInfoWhileNothingChanges() {
    Fixtures.Tracked tracked = fixtures.trackLongRunning("wf_l_quiet");
    runOnce(); // PENDING -> RUNNING, logged
    try (CapturedLog log = CapturedLog.open(org.jboss.logmanager.Level.INFO)) {
      clock.advance(Duration.ofSeconds(15));
      assertThat(runOnce()).as("a check that changes nothing").isEqualTo(1);
      runOnce(); // nothing due: an idle cycle
      clock.advance(Duration.ofSeconds(1));
      runOnce();

      assertThat(log.lines()).as("lines at INFO and above").isEmpty();
    }
    assertThat(fixtures.status(tracked.execution())).isEqualTo("RUNNING");
  }

  /** The lines about one execution; each must carry its ids in the MDC and the text. */
  private static final class Lines {
    private final List<CapturedLog.Line> lines;
    private final UUID execution;
    private final UUID workflow;

    Lines(List<CapturedLog.Line> all, UUID execution, UUID workflow) {
      this.lines =
          all.stream()
              .filter(line -> execution.toString().equals(line.mdc().get(ExecutionLog.EXECUTION)))
              .toList();
      this.execution = execution;
      this.workflow = workflow;
    }

    List<CapturedLog.Line> of(String event) {
      List<CapturedLog.Line> matching =
          lines.stream().filter(line -> line.event().equals(event)).toList();
      assertThat(matching)
          .allSatisfy(
              line -> {
                assertThat(line.mdc())
                    .containsEntry(ExecutionLog.WORKFLOW, workflow.toString())
                    .containsEntry(ExecutionLog.INSTANCE, Fixtures.INSTANCE);
                assertThat(line.message())
                    .contains("execution=" + execution)
                    .contains("workflow=" + workflow)
                    .contains("instance=" + Fixtures.INSTANCE);
              });
      return matching;
    }
  }

  private String remoteId(UUID execution) {
    return (String) fixtures.execution(execution).get("amc_execution_id");
  }

  private int runOnce() {
    return cycle.runOnce().await().atMost(AWAIT).claimed();
  }
}
