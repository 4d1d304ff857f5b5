package io.executionpoller.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jboss.logmanager.ExtLogRecord;

/** Logs one lifecycle line through {@link ExecutionLog} and hands back the record as logged. */
final class LoggedLine {

  private LoggedLine() {}

  /**
   * Logs one EXEC_TRANSITION line under {@code category} and returns the record a handler got, with
   * the MDC the line was logged with.
   */
  static ExtLogRecord of(Class<?> category, ExecutionIds ids, String format, Object... args) {
    List<ExtLogRecord> records = new ArrayList<>();
    Handler handler =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            records.add((ExtLogRecord) record);
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    Logger logger = Logger.getLogger(category.getName());
    logger.addHandler(handler);
    try {
      ExecutionLog.of(category).info(ids, "EXEC_TRANSITION", format, args);
    } finally {
      logger.removeHandler(handler);
    }
    assertThat(records).hasSize(1);
    return records.get(0);
  }
}
