package io.executionpoller.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The files in deploy/monitoring as the tests read them: the dashboard's queries by panel, and the
 * alert rules' names, expressions and runbook links. The rules file is read line by line (the
 * project has no YAML parser): {@code - alert:} starts a rule, {@code expr:} is one line or a block
 * scalar ({@code |-}) of the lines indented under it.
 */
final class MonitoringFiles {

  static final Path DIRECTORY = Path.of("deploy", "monitoring");
  static final Path DASHBOARD = DIRECTORY.resolve("grafana-dashboard.json");
  static final Path ALERTS = DIRECTORY.resolve("alerts.yaml");
  static final Path ALERT_TESTS = DIRECTORY.resolve("alerts.test.yaml");

  /** One alerting rule. */
  record Rule(String alert, String expr, String runbookUrl) {}

  private MonitoringFiles() {}

  /** Every query of the dashboard, keyed by "panel title / refId". */
  static Map<String, String> dashboardQueries() throws IOException {
    JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
    Map<String, String> queries = new LinkedHashMap<>();
    for (JsonNode panel : dashboard.path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        queries.put(
            panel.path("title").asText() + " / " + target.path("refId").asText(),
            target.path("expr").asText());
      }
    }
    return queries;
  }

  static List<Rule> rules() throws IOException {
    List<String> lines = Files.readAllLines(ALERTS);
    List<Rule> rules = new ArrayList<>();
    String alert = null;
    String expr = null;
    String runbook = null;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      String trimmed = line.trim();
      if (trimmed.startsWith("- alert:")) {
        if (alert != null) {
          rules.add(new Rule(alert, expr, runbook));
        }
        alert = value(trimmed, "- alert:");
        expr = null;
        runbook = null;
      } else if (trimmed.startsWith("expr:")) {
        String value = value(trimmed, "expr:");
        if (value.startsWith("|")) {
          int indent = indentOf(line);
          StringBuilder block = new StringBuilder();
          while (i + 1 < lines.size() && indentOf(lines.get(i + 1)) > indent) {
            block.append(lines.get(++i).trim()).append('\n');
          }
          value = block.toString().trim();
        }
        expr = value;
      } else if (trimmed.startsWith("runbook_url:")) {
        runbook = value(trimmed, "runbook_url:");
      }
    }
    if (alert != null) {
      rules.add(new Rule(alert, expr, runbook));
    }
    return rules;
  }

  private static String value(String trimmed, String key) {
    return trimmed.substring(key.length()).trim();
  }

  private static int indentOf(String line) {
    if (line.isBlank()) {
      return Integer.MAX_VALUE;
    }
    int indent = 0;
    while (indent < line.length() && line.charAt(indent) == ' ') {
      indent++;
    }
    return indent;
  }
}
