package io.executionpoller.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;

/** The few JDBC conversions the read side repeats: nullable instants and positional binding. */
public final class Jdbc {

  private Jdbc() {}

  /** A timestamptz column as an Instant; null stays null. */
  public static Instant instant(ResultSet row, String column) throws SQLException {
    Timestamp value = row.getTimestamp(column);
    return value == null ? null : value.toInstant();
  }

  /**
   * Binds {@code params} in order; a {@code String[]} becomes a text array, an {@link Instant} a
   * timestamp, anything else goes to {@code setObject}.
   */
  public static void bind(Connection connection, PreparedStatement query, List<Object> params)
      throws SQLException {
    for (int i = 0; i < params.size(); i++) {
      Object value = params.get(i);
      if (value instanceof String[] strings) {
        query.setArray(i + 1, connection.createArrayOf("text", strings));
      } else if (value instanceof Instant instant) {
        query.setTimestamp(i + 1, Timestamp.from(instant));
      } else {
        query.setObject(i + 1, value);
      }
    }
  }
}
