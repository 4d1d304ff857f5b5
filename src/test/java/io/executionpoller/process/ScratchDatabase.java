package io.executionpoller.process;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A fresh database on the local PostgreSQL (TEST_PG_HOST/TEST_PG_PORT, default 127.0.0.1:5432, as
 * postgres), dropped on close, as {@code support/PostgresResource} makes one for the unit tests.
 * The children migrate it themselves at start; the tests read and seed it over JDBC.
 */
final class ScratchDatabase implements AutoCloseable {

  static final String HOST = env("TEST_PG_HOST", "127.0.0.1");
  static final String PORT = env("TEST_PG_PORT", "5432");
  static final String USER = env("TEST_PG_USER", "postgres");
  static final String PASSWORD = env("TEST_PG_PASSWORD", "");

  private final String name;

  private ScratchDatabase(String name) {
    this.name = name;
  }

  static ScratchDatabase create(String purpose) {
    String name =
        ("process_it_" + purpose + "_" + ProcessHandle.current().pid() + "_" + System.nanoTime())
            .toLowerCase(Locale.ROOT)
            .replaceAll("[^a-z0-9_]", "_");
    admin("CREATE DATABASE " + name);
    return new ScratchDatabase(name);
  }

  String jdbcUrl() {
    return "jdbc:postgresql://" + HOST + ":" + PORT + "/" + name;
  }

  String reactiveUrl() {
    return "postgresql://" + HOST + ":" + PORT + "/" + name;
  }

  Connection connect() throws SQLException {
    return DriverManager.getConnection(jdbcUrl(), USER, PASSWORD);
  }

  /** Rows of a query as column-name maps, in order. */
  List<Map<String, Object>> query(String sql, Object... parameters) {
    try (Connection connection = connect();
        PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        statement.setObject(i + 1, parameters[i]);
      }
      List<Map<String, Object>> rows = new ArrayList<>();
      try (ResultSet result = statement.executeQuery()) {
        ResultSetMetaData meta = result.getMetaData();
        while (result.next()) {
          Map<String, Object> row = new LinkedHashMap<>();
          for (int column = 1; column <= meta.getColumnCount(); column++) {
            row.put(meta.getColumnLabel(column), result.getObject(column));
          }
          rows.add(row);
        }
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  /** The single value of a query returning one row and one column. */
  long count(String sql, Object... parameters) {
    List<Map<String, Object>> rows = query(sql, parameters);
    return ((Number) rows.get(0).values().iterator().next()).longValue();
  }

  int update(String sql, Object... parameters) {
    try (Connection connection = connect();
        PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        statement.setObject(i + 1, parameters[i]);
      }
      return statement.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  String name() {
    return name;
  }

  /** Sessions on this database other than the one asking. */
  private long sessions() {
    return count(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            + " AND pid <> pg_backend_pid()");
  }

  /**
   * Waits until PostgreSQL has closed every session of {@code killed}, a daemon just SIGKILLed on
   * this database: statements it sent before it died may still run (an autocommit reschedule may
   * still commit), so what it left behind is only known after that.
   */
  void awaitSessionsClosedOf(PackagedDaemon killed) {
    Waits.until(
        "PostgreSQL closed the sessions of the killed process",
        Duration.ofSeconds(30),
        Duration.ofMillis(20),
        () -> sessions() == 0,
        () -> killed.tail(20));
  }

  /**
   * Client connections to the server from anyone but the given databases (and this session): other
   * users of the machine's PostgreSQL, as "database application".
   */
  static List<String> otherUsers(List<String> ours) {
    String url =
        "jdbc:postgresql://" + HOST + ":" + PORT + "/" + env("TEST_PG_ADMIN_DB", "postgres");
    try (Connection connection = DriverManager.getConnection(url, USER, PASSWORD);
        PreparedStatement statement =
            connection.prepareStatement(
                """
                SELECT coalesce(datname, '-') || ' ' || coalesce(application_name, '')
                  FROM pg_stat_activity
                 WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()
                   AND NOT (datname = ANY (?))
                """)) {
      statement.setArray(1, connection.createArrayOf("text", ours.toArray()));
      List<String> users = new ArrayList<>();
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          users.add(rows.getString(1));
        }
      }
      return users;
    } catch (SQLException e) {
      throw new IllegalStateException("reading pg_stat_activity: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    admin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
  }

  private static void admin(String sql) {
    String url =
        "jdbc:postgresql://" + HOST + ":" + PORT + "/" + env("TEST_PG_ADMIN_DB", "postgres");
    try (Connection connection = DriverManager.getConnection(url, USER, PASSWORD);
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  private static String env(String key, String fallback) {
    String value = System.getenv(key);
    return value == null || value.isBlank() ? fallback : value;
  }
}
