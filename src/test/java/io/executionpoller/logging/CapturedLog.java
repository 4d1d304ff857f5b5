package io.executionpoller.logging;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jboss.logmanager.ExtLogRecord;

/**
 * Captures what the daemon logs under {@code io.executionpoller} while open: each line's level,
 * message and MDC, copied when it is logged (the MDC is gone a moment later). Opening sets the
 * categories of the loop and of the lifecycle lines to {@code level} (the test profile keeps them
 * at WARN); closing puts them back.
 */
final class CapturedLog extends Handler implements AutoCloseable {

  /** One captured line. */
  record Line(Level level, String message, Map<String, String> mdc) {

    String event() {
      int space = message.indexOf(' ');
      return space < 0 ? message : message.substring(0, space);
    }
  }

  private static final String ROOT = "io.executionpoller";
  private static final List<String> LOOP =
      List.of("io.executionpoller.poll", LifecycleRecorder.class.getName());

  private final List<Line> lines = new CopyOnWriteArrayList<>();
  private final Logger root = Logger.getLogger(ROOT);
  private final List<Logger> loop = LOOP.stream().map(Logger::getLogger).toList();
  private final List<Level> loopLevelsBefore = loop.stream().map(Logger::getLevel).toList();

  private CapturedLog(Level loopLevel) {
    loop.forEach(logger -> logger.setLevel(loopLevel));
    setLevel(Level.ALL);
    root.addHandler(this);
  }

  /** Captures from now on, with the loop's lines from {@code loopLevel} up. */
  static CapturedLog open(Level loopLevel) {
    return new CapturedLog(loopLevel);
  }

  List<Line> lines() {
    return List.copyOf(lines);
  }

  void clear() {
    lines.clear();
  }

  @Override
  public void publish(LogRecord record) {
    if (record instanceof ExtLogRecord ext) {
      lines.add(new Line(ext.getLevel(), ext.getFormattedMessage(), Map.copyOf(ext.getMdcCopy())));
    } else {
      lines.add(new Line(record.getLevel(), record.getMessage(), Map.of()));
    }
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    root.removeHandler(this);
    for (int i = 0; i < loop.size(); i++) {
      loop.get(i).setLevel(loopLevelsBefore.get(i));
    }
  }
}
