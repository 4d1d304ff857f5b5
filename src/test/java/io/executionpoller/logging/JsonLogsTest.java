package io.executionpoller.logging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.logging.json.runtime.JsonFormatter;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.Enumeration;
import java.util.Properties;
import java.util.UUID;
import org.jboss.logging.MDC;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.Test;

/** Production logs are JSON, with an execution's ids as fields; dev and test logs are text. */
class JsonLogsTest {

  @Test
  void shouldEnableJsonLogsInProductionOnlyInTheShippedConfiguration() throws IOException {
    // The shipped file and the test profile's own file (src/test/resources) are both on the class
    // path; together they are the configuration the tests see.
    Properties properties = new Properties();
    Enumeration<URL> files =
        JsonLogsTest.class.getClassLoader().getResources("application.properties");
    int read = 0;
    while (files.hasMoreElements()) {
      try (InputStream in = files.nextElement().openStream()) {
        properties.load(in);
        read++;
      }
    }
    assertThat(read).as("the shipped and the test settings").isEqualTo(2);

    assertThat(properties.getProperty("quarkus.log.console.json.enabled")).isEqualTo("true");
    assertThat(properties.getProperty("%dev.quarkus.log.console.json.enabled")).isEqualTo("false");
    assertThat(properties.getProperty("%test.quarkus.log.console.json.enabled")).isEqualTo("false");
    assertThat(properties.stringPropertyNames())
        .as("no other profile overrides it")
        .filteredOn(key -> key.endsWith("quarkus.log.console.json.enabled"))
        .hasSize(3);
  }

  @Test
  void shouldWriteALifecycleLineAsJsonWithTheExecutionsIdsAsMdcFields() throws IOException {
    UUID execution = UUID.randomUUID();
    UUID workflow = UUID.randomUUID();

    ExtLogRecord record =
        logOne(
            new ExecutionIds(execution, "amc-1", workflow, "amcinst01"),
            "from=%s to=%s",
            "PENDING",
            "RUNNING");
    JsonNode json = new ObjectMapper().readTree(new JsonFormatter().format(record));

    assertThat(json.path("level").asText()).isEqualTo("INFO");
    assertThat(json.path("loggerName").asText()).isEqualTo(JsonLogsTest.class.getName());
    assertThat(json.path("message").asText())
        .isEqualTo(
            "EXEC_TRANSITION execution="
                + execution
                + " remote=amc-1 workflow="
                + workflow
                + " instance=amcinst01 from=PENDING to=RUNNING");
    JsonNode mdc = json.path("mdc");
    assertThat(mdc.path(ExecutionLog.EXECUTION).asText()).isEqualTo(execution.toString());
    assertThat(mdc.path(ExecutionLog.REMOTE).asText()).isEqualTo("amc-1");
    assertThat(mdc.path(ExecutionLog.WORKFLOW).asText()).isEqualTo(workflow.toString());
    assertThat(mdc.path(ExecutionLog.INSTANCE).asText()).isEqualTo("amcinst01");
  }

  @Test
  void shouldLeaveOutAMissingIdAndKeepTheThreadsOtherMdcFields() {
    MDC.put("traceId", "trace-1");
    ExtLogRecord record;
    try {
      record = logOne(new ExecutionIds(UUID.randomUUID(), null, UUID.randomUUID(), "i1"), "");
    } finally {
      MDC.remove("traceId");
    }

    assertThat(record.getMdcCopy())
        .containsEntry("traceId", "trace-1")
        .containsKeys(ExecutionLog.EXECUTION, ExecutionLog.WORKFLOW, ExecutionLog.INSTANCE)
        .doesNotContainKey(ExecutionLog.REMOTE);
    assertThat(record.getFormattedMessage()).contains(" remote=- ");
    assertThat(MDC.get(ExecutionLog.EXECUTION)).as("the thread's MDC is untouched").isNull();
  }

  /** Logs one EXEC_TRANSITION line through ExecutionLog and returns the record a handler got. */
  private static ExtLogRecord logOne(ExecutionIds ids, String format, Object... args) {
    return LoggedLine.of(JsonLogsTest.class, ids, format, args);
  }
}
