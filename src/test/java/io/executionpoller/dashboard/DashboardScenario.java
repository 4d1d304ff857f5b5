package io.executionpoller.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.executionpoller.poll.PollCycle;
import io.executionpoller.results.ResultDownloader;
import io.executionpoller.simulator.AmcSimulator;
import io.executionpoller.simulator.ExecutionScript;
import io.executionpoller.support.Fixtures;
import io.executionpoller.support.TestClock;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;

/**
 * One execution in each status, taken there by the real poll loop against the simulator on the test
 * clock, so running times are exact: the dashboard tests read this from the pages.
 */
@ApplicationScoped
class DashboardScenario {

  /** A workflow name a browser would run if it were not escaped. */
  static final String HOSTILE_NAME = "<script>window.pwned=1</script> Reach & <b>bold</b>";

  /** An AMC failure reason with markup in it; it still reads as a SQL error (QUERY_ERROR). */
  static final String HOSTILE_REASON =
      "SQL compilation error: mismatched input '<img src=x onerror=alert(1)>' near \"FORM\"";

  static final int RESULT_ROWS = 25;

  private static final Duration AWAIT = Duration.ofSeconds(60);
  private static final Duration CHECK_EVERY = Duration.ofSeconds(15);

  private final PollCycle cycle;
  private final AmcSimulator simulator;
  private final Fixtures fixtures;
  private final TestClock clock;
  private final ResultDownloader downloader;

  DashboardScenario(
      PollCycle cycle,
      AmcSimulator simulator,
      Fixtures fixtures,
      TestClock clock,
      ResultDownloader downloader) {
    this.cycle = cycle;
    this.simulator = simulator;
    this.fixtures = fixtures;
    this.clock = clock;
    this.downloader = downloader;
  }

  /** The executions, by the status each ends in. */
  record Executions(
      UUID pending, UUID running, UUID success, UUID failed, UUID cancelled, UUID timeout) {}

  /**
   * Registers six executions at once and checks them every 15 s for 90 s (seven checks): the
   * SUCCESS one ran 45 s (RUNNING at 15 s, SUCCEEDED seen at 60 s) and its 25-row result is stored;
   * the RUNNING one has run 75 s; the TIMEOUT one passed its 60 s limit.
   */
  Executions build() {
    awaitDownloadsIdle();
    fixtures.reset();
    UUID pending =
        execution("wf_dash_pending", "Queued audience", script(Duration.ofHours(1), 1, null));
    UUID running = execution("wf_dash_running", "Weekly reach", script(Duration.ZERO, 3600, null));
    UUID success =
        execution("wf_dash_success", "Campaign overlap", script(Duration.ZERO, 40, "SUCCEEDED"));
    UUID failed =
        execution(
            "wf_dash_failed",
            HOSTILE_NAME,
            ExecutionScript.ends(Duration.ZERO, Duration.ofSeconds(20), "FAILED", HOSTILE_REASON));
    UUID cancelled =
        execution(
            "wf_dash_cancelled",
            "Path to conversion",
            ExecutionScript.ends(Duration.ZERO, Duration.ofSeconds(20), "CANCELLED", null));
    UUID timeout = limitedExecution("wf_dash_timeout", "Runaway query", 60, 30);

    runCycle();
    for (int check = 0; check < 6; check++) {
      clock.advance(CHECK_EVERY);
      runCycle();
    }
    downloadResults();

    Executions executions = new Executions(pending, running, success, failed, cancelled, timeout);
    assertThat(fixtures.status(pending)).isEqualTo("PENDING");
    assertThat(fixtures.status(running)).isEqualTo("RUNNING");
    assertThat(fixtures.status(success)).isEqualTo("SUCCESS");
    assertThat(fixtures.status(failed)).isEqualTo("FAILED");
    assertThat(fixtures.status(cancelled)).isEqualTo("CANCELLED");
    assertThat(fixtures.status(timeout)).isEqualTo("TIMEOUT");
    return executions;
  }

  private static ExecutionScript script(Duration pending, int runningSeconds, String end) {
    return new ExecutionScript(
        pending,
        Duration.ofSeconds(runningSeconds),
        Duration.ZERO,
        end,
        null,
        end == null ? 1 : RESULT_ROWS);
  }

  private UUID execution(String remoteWorkflowId, String name, ExecutionScript script) {
    simulator.scriptFor(remoteWorkflowId, script);
    return fixtures.submit(workflow(remoteWorkflowId, name, Map.of()));
  }

  private UUID limitedExecution(String remoteWorkflowId, String name, int max, int warning) {
    simulator.scriptFor(
        remoteWorkflowId, ExecutionScript.succeeds(Duration.ZERO, Duration.ofHours(3), 1));
    return fixtures.submit(
        workflow(
            remoteWorkflowId,
            name,
            Map.of("maxRuntimeSeconds", max, "warningThresholdSeconds", warning)));
  }

  private UUID workflow(String remoteWorkflowId, String name, Map<String, Object> extra) {
    Map<String, Object> body = new HashMap<>(extra);
    body.put("workflowId", remoteWorkflowId);
    body.put("name", name);
    return fixtures.workflow(body);
  }

  private void runCycle() {
    cycle.runOnce().await().atMost(AWAIT);
  }

  private void downloadResults() {
    try {
      downloader.dispatch();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    awaitDownloadsIdle();
    assertThat(
            fixtures.count(
                "SELECT count(*) FROM execution_results WHERE status = 'STORED' AND row_count = ?",
                (long) RESULT_ROWS))
        .as("the SUCCESS execution's result is stored")
        .isEqualTo(1);
  }

  private void awaitDownloadsIdle() {
    Awaitility.await("downloads to finish")
        .atMost(AWAIT)
        .pollInterval(Duration.ofMillis(20))
        .until(() -> downloader.inFlight() == 0);
  }
}
