package io.executionpoller.results;

import static org.assertj.core.api.Assertions.assertThat;

import io.executionpoller.poll.PollCycle;
import io.executionpoller.simulator.AmcSimulator;
import io.executionpoller.simulator.ExecutionScript;
import io.executionpoller.simulator.ResultFile;
import io.executionpoller.support.Fixtures;
import io.executionpoller.support.TestClock;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.awaitility.Awaitility;

/** Test support for the download step: succeeded executions, driving downloads, reading back. */
@ApplicationScoped
public class Results {

  private static final Duration AWAIT = Duration.ofSeconds(60);

  private final PollCycle cycle;
  private final AmcSimulator simulator;
  private final Fixtures fixtures;
  private final TestClock clock;
  private final ResultFetcher fetcher;

  Results(
      PollCycle cycle,
      AmcSimulator simulator,
      Fixtures fixtures,
      TestClock clock,
      ResultFetcher fetcher) {
    this.cycle = cycle;
    this.simulator = simulator;
    this.fixtures = fixtures;
    this.clock = clock;
    this.fetcher = fetcher;
  }

  ResultFetcher fetcher() {
    return fetcher;
  }

  /** An execution of saved workflow {@code remoteWorkflowId} taken to SUCCESS by the loop. */
  public UUID succeeded(String remoteWorkflowId, int rows, List<ResultFile> files) {
    if (files != null) {
      simulator.scriptResults(remoteWorkflowId, files);
    }
    return succeeded(
        remoteWorkflowId, ExecutionScript.succeeds(Duration.ZERO, Duration.ofSeconds(20), rows));
  }

  /**
   * An execution of saved workflow {@code remoteWorkflowId}, which AMC runs by {@code script} (one
   * that succeeds within 30 s), taken to SUCCESS by the loop.
   */
  UUID succeeded(String remoteWorkflowId, ExecutionScript script) {
    simulator.scriptFor(remoteWorkflowId, script);
    UUID execution = fixtures.submit(fixtures.savedWorkflow(remoteWorkflowId));
    cycle.runOnce().await().atMost(AWAIT);
    clock.advance(Duration.ofSeconds(30));
    cycle.runOnce().await().atMost(AWAIT);
    assertThat(fixtures.status(execution)).isEqualTo("SUCCESS");
    return execution;
  }

  /** An execution that is RUNNING for the next hour. */
  UUID running(String remoteWorkflowId) {
    simulator.scriptFor(
        remoteWorkflowId, ExecutionScript.succeeds(Duration.ZERO, Duration.ofHours(1), 1));
    UUID execution = fixtures.submit(fixtures.savedWorkflow(remoteWorkflowId));
    cycle.runOnce().await().atMost(AWAIT);
    assertThat(fixtures.status(execution)).isEqualTo("RUNNING");
    return execution;
  }

  Map<String, Object> result(UUID execution) {
    List<Map<String, Object>> rows =
        fixtures.query("SELECT * FROM execution_results WHERE execution_id = ?", execution);
    assertThat(rows).as("result row of " + execution).hasSize(1);
    return rows.get(0);
  }

  public String resultStatus(UUID execution) {
    return (String) result(execution).get("status");
  }

  long storedRowCount(UUID execution) {
    return fixtures.count(
        "SELECT coalesce(sum(row_count), 0) FROM result_segments WHERE execution_id = ?",
        execution);
  }

  long storedBytes(UUID execution) {
    return fixtures.count(
        "SELECT coalesce(sum(length(data)), 0) FROM result_segments WHERE execution_id = ?",
        execution);
  }

  void awaitStall(AmcSimulator sim) {
    await(() -> sim.stalledResponses() > 0, "a stalled download");
  }

  /** Waits until rows of the download in progress are committed in staging. */
  void awaitStagedRows(UUID execution) {
    await(() -> storedRowCount(execution) > 0, "rows committed in staging mid-download");
  }

  /** Waits until the result writer's connection is connected and holds no transaction. */
  void awaitWriterIdle() {
    await(
        () ->
            fixtures.count(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = ?"
                        + " AND xact_start IS NULL",
                    ResultWriter.APPLICATION_NAME)
                == 1,
        "the result writer's connection without a transaction");
  }

  /** Connections of the result writer in a transaction right now. */
  long writerTransactions() {
    return fixtures.count(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = ?"
            + " AND xact_start IS NOT NULL",
        ResultWriter.APPLICATION_NAME);
  }

  /** Kills the result writer's database connection, as a crash of its process would. */
  void terminateWriter() {
    assertThat(
            fixtures.count(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    + " WHERE application_name = ?",
                ResultWriter.APPLICATION_NAME))
        .isEqualTo(1);
  }

  private static void await(Callable<Boolean> condition, String what) {
    Awaitility.await(what).atMost(AWAIT).pollInterval(Duration.ofMillis(20)).until(condition);
  }
}
