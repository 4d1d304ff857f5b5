package io.executionpoller.db;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;

/**
 * Columns of a Hibernate Reactive native query read as {@code Object[]}: the driver decides the
 * Java type of a timestamptz or a number, so the reader converts to the type it wants here.
 */
public final class NativeColumns {

  private NativeColumns() {}

  /** A timestamptz column as an Instant; null stays null. */
  public static Instant instant(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof Instant instant) {
      return instant;
    }
    if (value instanceof OffsetDateTime offset) {
      return offset.toInstant();
    }
    if (value instanceof ZonedDateTime zoned) {
      return zoned.toInstant();
    }
    if (value instanceof Timestamp timestamp) {
      return timestamp.toInstant();
    }
    throw new IllegalArgumentException("not a timestamp: " + value.getClass().getName());
  }

  /** An integer column of any width as an int; null stays null. */
  public static Integer integer(Object value) {
    return value == null ? null : ((Number) value).intValue();
  }

  /** A bigint or count column as a long. */
  public static long whole(Object value) {
    return ((Number) value).longValue();
  }
}
