package io.executionpoller.logging;

import io.executionpoller.tracing.TraceParent;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import java.util.logging.Level;
import org.jboss.logmanager.ExtLogRecord;
import org.jboss.logmanager.Logger;

/**
 * Writes the lifecycle lines: {@code EVENT execution=… remote=… workflow=… instance=… details},
 * with the same ids as MDC fields of the record, which the JSON format prints under {@code mdc}
 * ({@code executionId}, {@code amcExecutionId}, {@code workflowId}, {@code instanceId}) for a log
 * store to filter on.
 *
 * <p>The ids go into the record, not into the thread's MDC: most of these lines are written on a
 * Vert.x event loop, where Quarkus keeps the MDC on a duplicated context, and the reactive clients'
 * callbacks run on the root context, where a value put into the MDC is lost before the line is
 * written. A record carries its own MDC whatever the thread.
 */
public final class ExecutionLog {

  public static final String EXECUTION = "executionId";
  public static final String REMOTE = "amcExecutionId";
  public static final String WORKFLOW = "workflowId";
  public static final String INSTANCE = "instanceId";
  public static final String TRACE_ID = "traceId";
  public static final String SPAN_ID = "spanId";

  private static final String FQCN = ExecutionLog.class.getName();

  private final Logger logger;

  private ExecutionLog(Logger logger) {
    this.logger = logger;
  }

  /** Lines in the category of {@code type}, so the usual category levels apply. */
  public static ExecutionLog of(Class<?> type) {
    return new ExecutionLog(Logger.getLogger(type.getName()));
  }

  public boolean isDebugEnabled() {
    return logger.isLoggable(org.jboss.logmanager.Level.DEBUG);
  }

  public void debug(ExecutionIds ids, String event, String format, Object... args) {
    log(org.jboss.logmanager.Level.DEBUG, ids, event, format, args);
  }

  public void info(ExecutionIds ids, String event, String format, Object... args) {
    log(org.jboss.logmanager.Level.INFO, ids, event, format, args);
  }

  public void warn(ExecutionIds ids, String event, String format, Object... args) {
    log(org.jboss.logmanager.Level.WARN, ids, event, format, args);
  }

  public void error(ExecutionIds ids, String event, String format, Object... args) {
    log(org.jboss.logmanager.Level.ERROR, ids, event, format, args);
  }

  private void log(Level level, ExecutionIds ids, String event, String format, Object[] args) {
    if (!logger.isLoggable(level)) {
      return;
    }
    String details = args.length == 0 ? format : String.format(format, args);
    ExtLogRecord record =
        new ExtLogRecord(
            level,
            event + " " + ids.text() + (details.isEmpty() ? "" : " " + details),
            ExtLogRecord.FormatStyle.NO_FORMAT,
            FQCN);
    record.setLoggerName(logger.getName());
    putIfPresent(record, EXECUTION, ids.execution());
    putIfPresent(record, REMOTE, ids.remote());
    putIfPresent(record, WORKFLOW, ids.workflow());
    putIfPresent(record, INSTANCE, ids.instance());
    putTrace(record, ids);
    logger.logRaw(record);
  }

  /**
   * The trace and span ids of the span the line is written in (the names Quarkus' own MDC uses, so
   * every line shows them alike); outside any span, the trace id of the execution's registration.
   */
  private static void putTrace(ExtLogRecord record, ExecutionIds ids) {
    SpanContext current = Span.current().getSpanContext();
    if (current.isValid()) {
      record.putMdc(TRACE_ID, current.getTraceId());
      record.putMdc(SPAN_ID, current.getSpanId());
      return;
    }
    SpanContext registered = TraceParent.parse(ids.traceparent());
    if (registered.isValid()) {
      record.putMdc(TRACE_ID, registered.getTraceId());
    }
  }

  private static void putIfPresent(ExtLogRecord record, String key, Object value) {
    if (value != null) {
      // The first put copies the thread's MDC into the record, so other fields are kept.
      record.putMdc(key, value.toString());
    }
  }
}
