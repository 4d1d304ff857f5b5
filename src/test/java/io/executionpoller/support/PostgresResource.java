package io.executionpoller.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * A fresh PostgreSQL database per test run: a Testcontainers PostgreSQL where a Docker engine
 * exists, otherwise a new database created on the local server (TEST_PG_* variables, default
 * 127.0.0.1:5432 as postgres) and dropped at the end.
 */
public class PostgresResource implements QuarkusTestResourceLifecycleManager {

  /**
   * The password sent to a local server with trust authentication, which never asks for it. It is
   * not empty so that SecretLeakTest can look for a database password in the logs.
   */
  public static final String UNUSED_PASSWORD = "db-password-never-logged-5e1f";

  private PostgreSQLContainer container;
  private String adminUrl;
  private String createdDatabase;
  private String user;
  private String password;

  @Override
  public Map<String, String> start() {
    String host;
    String port;
    String database;
    if (dockerAvailable()) {
      container = new PostgreSQLContainer("postgres:15-alpine");
      container.start();
      host = container.getHost();
      port = String.valueOf(container.getMappedPort(5432));
      database = container.getDatabaseName();
      user = container.getUsername();
      password = container.getPassword();
    } else {
      host = env("TEST_PG_HOST", "127.0.0.1");
      port = env("TEST_PG_PORT", "5432");
      user = env("TEST_PG_USER", "postgres");
      password = env("TEST_PG_PASSWORD", UNUSED_PASSWORD);
      adminUrl =
          "jdbc:postgresql://" + host + ":" + port + "/" + env("TEST_PG_ADMIN_DB", "postgres");
      database =
          "execution_poller_test_"
              + ProcessHandle.current().pid()
              + "_"
              + System.currentTimeMillis();
      admin("CREATE DATABASE " + database);
      createdDatabase = database;
    }
    return Map.of(
        "quarkus.datasource.jdbc.url",
        "jdbc:postgresql://" + host + ":" + port + "/" + database,
        "quarkus.datasource.reactive.url",
        "postgresql://" + host + ":" + port + "/" + database,
        "quarkus.datasource.username",
        user,
        "quarkus.datasource.password",
        password);
  }

  @Override
  public void stop() {
    if (container != null) {
      container.stop();
    }
    if (createdDatabase != null) {
      admin("DROP DATABASE IF EXISTS " + createdDatabase + " WITH (FORCE)");
    }
  }

  private void admin(String sql) {
    try (Connection connection = DriverManager.getConnection(adminUrl, user, password);
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot prepare the test database: " + e.getMessage(), e);
    }
  }

  /** Checks cheaply first: asking Testcontainers without a socket logs a loud error. */
  private static boolean dockerAvailable() {
    if (Boolean.parseBoolean(env("TEST_PG_EXTERNAL", "false"))) {
      return false;
    }
    if (System.getenv("DOCKER_HOST") == null && !Files.exists(Path.of("/var/run/docker.sock"))) {
      return false;
    }
    return DockerClientFactory.instance().isDockerAvailable();
  }

  private static String env(String key, String fallback) {
    String value = System.getenv(key);
    return value == null || value.isBlank() ? fallback : value;
  }
}
