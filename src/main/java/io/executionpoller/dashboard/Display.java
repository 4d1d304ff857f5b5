package io.executionpoller.dashboard;

import io.executionpoller.execution.ExecutionStatus;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** How the dashboard prints times, durations, sizes and remote text; never null. */
final class Display {

  static final String NONE = "—";

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT).withZone(ZoneOffset.UTC);

  private Display() {}

  /** A UTC time to the second, or a dash. */
  static String time(Instant instant) {
    return instant == null ? NONE : TIME.format(instant) + " UTC";
  }

  /**
   * How long the execution has run: until now while RUNNING, until it ended once final; empty for
   * one that never started (PENDING, or failed before AMC ran it).
   */
  static String runningTime(
      ExecutionStatus status, Instant startedAt, Instant completedAt, Instant now) {
    if (startedAt == null || status == ExecutionStatus.PENDING) {
      return NONE;
    }
    Instant end = status.isTerminal() ? completedAt : now;
    if (end == null) {
      return NONE;
    }
    return duration(Duration.between(startedAt, end));
  }

  /** {@code 45s}, {@code 3m 05s}, {@code 2h 07m}, {@code 3d 04h}; clocks that disagree give 0s. */
  static String duration(Duration duration) {
    long seconds = Math.max(0, duration.getSeconds());
    if (seconds < 60) {
      return seconds + "s";
    }
    if (seconds < 3600) {
      return String.format(Locale.ROOT, "%dm %02ds", seconds / 60, seconds % 60);
    }
    if (seconds < 86_400) {
      return String.format(Locale.ROOT, "%dh %02dm", seconds / 3600, seconds % 3600 / 60);
    }
    return String.format(Locale.ROOT, "%dd %02dh", seconds / 86_400, seconds % 86_400 / 3600);
  }

  /** Bytes in binary units: {@code 512 B}, {@code 2.3 KiB}, {@code 1.0 GiB}. */
  static String bytes(Long bytes) {
    if (bytes == null) {
      return NONE;
    }
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double value = bytes;
    int unit = -1;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
  }

  static String number(Long value) {
    return value == null ? NONE : String.format(Locale.ROOT, "%,d", value);
  }

  static String text(String value) {
    return value == null || value.isBlank() ? NONE : value;
  }

  /** Remote text (error messages) cut to {@code max} characters, so one row stays one row. */
  static String shortened(String value, int max) {
    if (value == null || value.isBlank()) {
      return "";
    }
    String oneLine = value.strip().replaceAll("\\s+", " ");
    if (oneLine.length() <= max) {
      return oneLine;
    }
    int end = max - 1;
    if (Character.isHighSurrogate(oneLine.charAt(end - 1))) {
      end--;
    }
    return oneLine.substring(0, end) + "…";
  }
}
