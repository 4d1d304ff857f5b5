package io.executionpoller.logging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Scope;
import io.quarkus.logging.json.runtime.JsonFormatter;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.Enumeration;
import java.util.Properties;
import java.util.UUID;
import org.jboss.logmanager.ExtLogRecord;
import org.jboss.logmanager.formatters.PatternFormatter;
import org.junit.jupiter.api.Test;

/** Lifecycle lines carry trace and span ids, in the JSON format and in the text format. */
class TraceLogsTest {

  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String SPAN = "00f067aa0ba902b7";
  private static final SpanContext CONTEXT =
      SpanContext.create(TRACE, SPAN, TraceFlags.getSampled(), TraceState.getDefault());

  @Test
  void shouldPutTheIdsOfTheSpanALineIsWrittenInIntoItsMdcAndItsJson() throws IOException {
    ExtLogRecord record;
    try (Scope scope = Span.wrap(CONTEXT).makeCurrent()) {
      record = logOne(ids(null));
    }

    assertThat(record.getMdcCopy())
        .containsEntry(ExecutionLog.TRACE_ID, TRACE)
        .containsEntry(ExecutionLog.SPAN_ID, SPAN);
    JsonNode mdc = new ObjectMapper().readTree(new JsonFormatter().format(record)).path("mdc");
    assertThat(mdc.path("traceId").asText()).isEqualTo(TRACE);
    assertThat(mdc.path("spanId").asText()).isEqualTo(SPAN);
  }

  @Test
  void shouldPutTheTraceIdOfTheRegistrationIntoALineWrittenOutsideAnySpan() {
    String otherTrace = "0af7651916cd43dd8448eb211c80319c";
    ExtLogRecord record = logOne(ids("00-" + otherTrace + "-b7ad6b7169203331-01"));

    assertThat(record.getMdcCopy())
        .containsEntry(ExecutionLog.TRACE_ID, otherTrace)
        .as("no span: the line was not written in the registration's span")
        .doesNotContainKey(ExecutionLog.SPAN_ID);
  }

  @Test
  void shouldLeaveTheIdsOutWhenThereIsNoTraceAtAll() {
    ExtLogRecord record = logOne(ids("not-a-traceparent"));

    assertThat(record.getMdcCopy()).doesNotContainKeys(ExecutionLog.TRACE_ID, ExecutionLog.SPAN_ID);
  }

  @Test
  void shouldShowTraceAndSpanIdsInTheShippedTextFormat() throws IOException {
    String format = shippedProperty("quarkus.log.console.format");
    assertThat(format).contains("%X{traceId}").contains("%X{spanId}");

    ExtLogRecord record;
    try (Scope scope = Span.wrap(CONTEXT).makeCurrent()) {
      record = logOne(ids(null));
    }
    assertThat(new PatternFormatter(format).format(record))
        .contains("trace=" + TRACE + " span=" + SPAN + " EXEC_TRANSITION execution=");
  }

  private static ExecutionIds ids(String traceparent) {
    return new ExecutionIds(UUID.randomUUID(), "amc-1", UUID.randomUUID(), "i1", traceparent);
  }

  /** A value of src/main/resources/application.properties (not the test profile's file). */
  private static String shippedProperty(String key) throws IOException {
    Enumeration<URL> files =
        TraceLogsTest.class.getClassLoader().getResources("application.properties");
    while (files.hasMoreElements()) {
      URL file = files.nextElement();
      if (file.getPath().contains("test-classes")) {
        continue;
      }
      Properties properties = new Properties();
      try (InputStream in = file.openStream()) {
        properties.load(in);
      }
      return properties.getProperty(key);
    }
    throw new AssertionError("the shipped application.properties is not on the class path");
  }

  /** Logs one EXEC_TRANSITION line through ExecutionLog and returns the record a handler got. */
  private static ExtLogRecord logOne(ExecutionIds ids) {
    return LoggedLine.of(TraceLogsTest.class, ids, "from=%s", "PENDING");
  }
}
