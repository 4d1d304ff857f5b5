package io.executionpoller.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The alerting rules in deploy/monitoring: valid for Prometheus, each with promtool unit tests that
 * pass, each linked to its section of the runbook.
 */
class AlertRulesTest {

  private static final Path RUNBOOK = Path.of("src", "docs", "runbook.md");

  @Test
  void shouldPassPromtoolsCheckAndEveryUnitTestOfTheRules() throws Exception {
    Promtool.Run check =
        Promtool.run(MonitoringFiles.DIRECTORY, null, "check", "rules", "alerts.yaml");
    assertThat(check.exitCode()).as(check.output()).isZero();
    assertThat(check.output()).contains("SUCCESS: 7 rules found");

    Promtool.Run tests =
        Promtool.run(MonitoringFiles.DIRECTORY, null, "test", "rules", "alerts.test.yaml");
    assertThat(tests.exitCode()).as(tests.output()).isZero();
    assertThat(tests.output()).contains("SUCCESS").doesNotContain("FAILED");
  }

  @Test
  void shouldShipTheIssuesAlertsEachFiringInATestAndLinkedToItsRunbookSection() throws Exception {
    List<MonitoringFiles.Rule> rules = MonitoringFiles.rules();
    assertThat(rules)
        .extracting(MonitoringFiles.Rule::alert)
        .containsExactly(
            "ExecutionPollerLoopStalled",
            "ExecutionPollerDueCheckLagHigh",
            "ExecutionPollerBreakerOpen",
            "ExecutionPollerCredentialsRejected",
            "ExecutionPollerExecutionsStuck",
            "ExecutionPollerResultsFailing",
            "ExecutionPollerLivenessFlapping");

    String tests = Files.readString(MonitoringFiles.ALERT_TESTS);
    Set<String> anchors = runbookAnchors();
    for (MonitoringFiles.Rule rule : rules) {
      assertThat(tests)
          .as("a test where %s fires", rule.alert())
          .containsPattern("alertname: " + rule.alert() + "\\s+exp_alerts:\\s+- exp_labels:");
      assertThat(rule.runbookUrl())
          .as(rule.alert())
          .isEqualTo("src/docs/runbook.md#alert-" + rule.alert().toLowerCase(Locale.ROOT));
      assertThat(anchors)
          .as("the runbook has a section for %s", rule.alert())
          .contains(rule.runbookUrl().substring(rule.runbookUrl().indexOf('#') + 1));
    }
  }

  /** The anchors GitHub makes of the runbook's headings. */
  private static Set<String> runbookAnchors() throws Exception {
    return Files.readAllLines(RUNBOOK).stream()
        .filter(line -> line.startsWith("#"))
        .map(line -> line.replaceFirst("^#+\\s*", ""))
        .map(
            heading ->
                heading
                    .toLowerCase(Locale.ROOT)
                    .replaceAll("[^a-z0-9 _-]", "")
                    .trim()
                    .replace(' ', '-'))
        .collect(Collectors.toSet());
  }
}
