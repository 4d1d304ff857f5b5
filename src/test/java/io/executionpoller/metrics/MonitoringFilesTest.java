package io.executionpoller.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.executionpoller.poll.LoopMetrics;
import io.executionpoller.poll.PollCycle;
import io.executionpoller.remote.FreshRemoteState;
import io.executionpoller.simulator.AmcSimulator;
import io.executionpoller.simulator.ExecutionScript;
import io.executionpoller.simulator.Fault;
import io.executionpoller.simulator.Operation;
import io.executionpoller.support.Downloads;
import io.executionpoller.support.Fixtures;
import io.executionpoller.support.PostgresResource;
import io.executionpoller.support.TestClock;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every metric the Grafana dashboard and the alerting rules in deploy/monitoring query is one the
 * daemon exports: read from a real scrape of /q/metrics after a run that makes every labelled
 * series appear (a series appears with its first event).
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class MonitoringFilesTest {

  private static final Duration AWAIT = Duration.ofSeconds(60);

  @Inject PollCycle cycle;
  @Inject AmcSimulator simulator;
  @Inject Fixtures fixtures;
  @Inject TestClock clock;
  @Inject Downloads downloads;
  @Inject LoopMetrics gauges;

  @ConfigProperty(name = "quarkus.management.test-port")
  int managementPort;

  @BeforeEach
  void clean() {
    downloads.awaitIdle();
    fixtures.reset();
  }

  @AfterEach
  void restoreGate() {
    FreshRemoteState.freshGate();
  }

  @Test
  void shouldQueryOnlyMetricsThatARealScrapeHasInEveryPanelAndRule() throws Exception {
    Set<String> exported = scrapeAfterARun();

    Map<String, String> queries = MonitoringFiles.dashboardQueries();
    assertThat(queries).as("the dashboard's queries").hasSizeGreaterThan(20);
    Map<String, Set<String>> missing = new TreeMap<>();
    queries.forEach((panel, expr) -> missingFrom(exported, panel, expr, missing));
    for (MonitoringFiles.Rule rule : MonitoringFiles.rules()) {
      missingFrom(exported, "alert " + rule.alert(), rule.expr(), missing);
    }
    assertThat(missing).as("queries naming metrics the scrape does not have").isEmpty();
  }

  private static void missingFrom(
      Set<String> exported, String where, String expr, Map<String, Set<String>> missing) {
    Set<String> names = PromQl.metricNames(expr);
    assertThat(names).as("%s reads a metric: %s", where, expr).isNotEmpty();
    Set<String> absent =
        names.stream().filter(name -> !exported.contains(name)).collect(Collectors.toSet());
    if (!absent.isEmpty()) {
      missing.put(where, absent);
    }
  }

  /**
   * A success with its result stored, an execution sent back for a retry, a check failing after its
   * repeats, calls waiting for the rate limit; then the sample names of a scrape.
   */
  private Set<String> scrapeAfterARun() {
    simulator.scriptFor(
        "wf_mon_ok", ExecutionScript.succeeds(Duration.ofSeconds(20), Duration.ofSeconds(40), 3));
    simulator.scriptFor(
        "wf_mon_retry",
        ExecutionScript.failsWithInternalError(Duration.ofSeconds(20), Duration.ofSeconds(40)));
    fixtures.submit(fixtures.savedWorkflow("wf_mon_ok"));
    fixtures.submit(fixtures.savedWorkflow("wf_mon_retry"));
    Fixtures.Tracked flaky = fixtures.trackLongRunning("wf_mon_flaky");
    simulator.scriptFaults(
        Operation.STATUS,
        flaky.remoteId(),
        List.of(Fault.ERROR_500, Fault.ERROR_500, Fault.ERROR_500));

    runOnce(); // t=0: two creates, the flaky check fails
    FreshRemoteState.gateLimitingEveryAccount(20, 1);
    clock.advance(Duration.ofSeconds(30));
    runOnce(); // t=30: RUNNING, calls queued behind the rate limit
    FreshRemoteState.freshGate();
    clock.advance(Duration.ofSeconds(45));
    runOnce(); // t=75: SUCCESS, and RETRY for the internal error
    downloads.downloadAll();
    gauges.refresh().await().atMost(AWAIT);

    return Scrape.of(managementPort).samples().stream()
        .map(Scrape.Sample::name)
        .collect(Collectors.toSet());
  }

  private void runOnce() {
    cycle.runOnce().await().atMost(AWAIT);
  }
}
