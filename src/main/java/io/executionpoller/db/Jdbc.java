package io.executionpoller.db;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;

/**
 * A conversion the JDBC readers repeat: the results' streaming reads and the replica heartbeats,
 * which stay on JDBC (ADR 0005). The entity world maps its rows through Hibernate instead.
 */
public final class Jdbc {

  private Jdbc() {}

  /** A timestamptz column as an Instant; null stays null. */
  public static Instant instant(ResultSet row, String column) throws SQLException {
    Timestamp value = row.getTimestamp(column);
    return value == null ? null : value.toInstant();
  }
}
