package io.executionpoller.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One child JVM running a packaged build, configured by environment variables only, on ports of its
 * own, its output in a file under {@code target/process-it/}: the production daemon ({@code
 * target/quarkus-app/quarkus-run.jar}), or the build with the simulator included ({@code
 * target/simulator-app/quarkus-run.jar}) that plays AMC. Children still running when the test JVM
 * exits are killed.
 */
final class PackagedDaemon implements AutoCloseable {

  /** Exit code of a process killed by SIGKILL (128 + 9), as Process.exitValue() reports it. */
  static final int KILLED_BY_SIGKILL = 137;

  private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  static {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly)));
  }

  private final String name;
  private final Process process;
  private final Path log;
  private final int httpPort;
  private final int managementPort;
  private final Instant startedAt;
  private volatile Instant readyAt;

  private PackagedDaemon(
      String name, Process process, Path log, int httpPort, int managementPort, Instant startedAt) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.httpPort = httpPort;
    this.managementPort = managementPort;
    this.startedAt = startedAt;
  }

  /** The production package, which the daemons under test run. */
  static Path productionJar() {
    return packaged("process-it.jar", "target/quarkus-app/quarkus-run.jar");
  }

  /** The package with the simulator included, which plays AMC. */
  static Path simulatorJar() {
    return packaged("process-it.simulator-jar", "target/simulator-app/quarkus-run.jar");
  }

  private static Path packaged(String property, String fallback) {
    Path jar = Path.of(System.getProperty(property, fallback));
    assertThat(jar).as("the packaged application (run `./mvnw package` first)").exists();
    return jar;
  }

  /** Starts the production daemon; see {@link #start(String, Path, Map)}. */
  static PackagedDaemon start(String name, Map<String, String> settings) {
    return start(name, productionJar(), settings);
  }

  /**
   * Starts {@code jar} with {@code settings} on top of free ports; variables of the test JVM's own
   * environment that would configure the daemon (QUARKUS_*, POLLER_*) are not passed on.
   */
  static PackagedDaemon start(String name, Path jar, Map<String, String> settings) {
    int httpPort = freePort();
    int managementPort = freePort();
    Path dir = Path.of(System.getProperty("process-it.dir", "target/process-it"));
    Path log = dir.resolve(name + ".log");
    try {
      Files.createDirectories(dir);
      List<String> command =
          List.of(
              Path.of(System.getProperty("java.home"), "bin", "java").toString(),
              "-Xmx256m",
              // Four JVMs share two cores: the client compiler and the serial collector cost
              // least, and none of these runs long enough to gain from more.
              "-XX:TieredStopAtLevel=1",
              "-XX:+UseSerialGC",
              "-jar",
              jar.toAbsolutePath().toString());
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .directory(dir.toFile());
      Map<String, String> env = builder.environment();
      env.keySet().removeIf(key -> key.startsWith("QUARKUS_") || key.startsWith("POLLER_"));
      env.put("QUARKUS_HTTP_PORT", String.valueOf(httpPort));
      env.put("QUARKUS_MANAGEMENT_PORT", String.valueOf(managementPort));
      env.putAll(settings);
      Instant startedAt = Instant.now();
      Process process = builder.start();
      RUNNING.add(process);
      return new PackagedDaemon(name, process, log, httpPort, managementPort, startedAt);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name, e);
    }
  }

  String name() {
    return name;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  int httpPort() {
    return httpPort;
  }

  int managementPort() {
    return managementPort;
  }

  /** When the process was started. */
  Instant startedAt() {
    return startedAt;
  }

  /** When {@link #awaitReady} last saw it ready; null before. */
  Instant readyAt() {
    return readyAt;
  }

  /** Waits until readiness answers 200; returns when it did. */
  Instant awaitReady(Duration within) {
    Waits.until(
        name + " ready",
        within,
        Duration.ofMillis(200),
        () -> exitedOr(managementStatus("/q/health/ready") == 200),
        () -> tail(60));
    readyAt = Instant.now();
    return readyAt;
  }

  /** The condition's value while the process runs; a failure once it has exited. */
  private boolean exitedOr(boolean condition) {
    if (!process.isAlive()) {
      throw new AssertionError(name + " exited with " + process.exitValue() + tail(60));
    }
    return condition;
  }

  /** HTTP status of a GET on the management port; -1 when nothing answered in time. */
  int managementStatus(String path) {
    return managementStatus(path, Duration.ofSeconds(20));
  }

  /** HTTP status of a GET on the management port; -1 when nothing answered within timeout. */
  int managementStatus(String path, Duration timeout) {
    return status("http://127.0.0.1:" + managementPort + path, timeout);
  }

  /** A GET on the management port; the body, or empty when nothing answered. */
  Optional<String> managementGet(String path) {
    try {
      HttpResponse<String> response =
          HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path))
                  .timeout(Duration.ofSeconds(20))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return Optional.of(response.body());
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /**
   * Sum of a Prometheus counter or gauge over the series whose labels contain every given {@code
   * label="value"} pair.
   */
  double metric(String name, String... labels) {
    String body = managementGet("/q/metrics").orElseThrow();
    double sum = 0;
    for (String line : body.split("\n")) {
      if (line.startsWith(name) && (line.length() == name.length() || !isNameChar(line, name))) {
        boolean matches = true;
        for (String label : labels) {
          matches &= line.contains(label);
        }
        if (matches) {
          sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
    }
    return sum;
  }

  private static boolean isNameChar(String line, String name) {
    char next = line.charAt(name.length());
    return Character.isLetterOrDigit(next) || next == '_';
  }

  /** Waits for an output line matching {@code pattern}; returns its match. */
  Matcher awaitLine(Pattern pattern, Duration within) {
    List<Matcher> found = new ArrayList<>(1);
    Waits.until(
        name + " logs " + pattern,
        within,
        Duration.ofMillis(20),
        () -> {
          for (String line : lines()) {
            Matcher matcher = pattern.matcher(line);
            if (matcher.find()) {
              found.add(matcher);
              return true;
            }
          }
          return exitedOr(false);
        },
        () -> tail(60));
    return found.get(0);
  }

  /**
   * SIGKILL, as a crash or the OOM killer would: no shutdown hook, no graceful stop. Fails unless
   * the exit status says SIGKILL ended it (destroyForcibly is SIGKILL on Linux; this checks it).
   */
  Instant kill() {
    process.destroyForcibly();
    Instant killed = Instant.now();
    int exit = waitFor(Duration.ofSeconds(10));
    RUNNING.remove(process);
    assertThat(exit).as(name + " ended by SIGKILL").isEqualTo(KILLED_BY_SIGKILL);
    return killed;
  }

  /** SIGTERM and wait, as Kubernetes stops a pod; killed if it has not ended in time. */
  void stop() {
    if (!process.isAlive()) {
      RUNNING.remove(process);
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(40, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    RUNNING.remove(process);
  }

  @Override
  public void close() {
    stop();
  }

  /** SIGTERM to all at once, then waits for each: replicas stop together, as in a rollout. */
  static void stopAll(List<PackagedDaemon> daemons) {
    daemons.forEach(daemon -> daemon.process.destroy());
    daemons.forEach(PackagedDaemon::stop);
  }

  private int waitFor(Duration within) {
    try {
      if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError(name + " still running " + within + " after the signal");
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** Every line the process has written so far. */
  List<String> lines() {
    try {
      return Files.readAllLines(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      // Malformed input from a half-written multi-byte character: read it leniently.
      try {
        return new String(Files.readAllBytes(log), StandardCharsets.ISO_8859_1).lines().toList();
      } catch (IOException again) {
        return List.of();
      }
    }
  }

  /** The last {@code count} lines, for assertion messages. */
  String tail(int count) {
    List<String> lines = lines();
    return "\n---- last lines of "
        + name
        + " ("
        + log
        + ") ----\n"
        + lines.subList(Math.max(0, lines.size() - count), lines.size()).stream()
            .map(line -> line.length() > 400 ? line.substring(0, 400) + "..." : line)
            .collect(Collectors.joining("\n"))
        + "\n----";
  }

  /** Base settings shared by every child: the database, and no heartbeat noise. */
  static Map<String, String> database(ScratchDatabase database) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("QUARKUS_DATASOURCE_JDBC_URL", database.jdbcUrl());
    env.put("QUARKUS_DATASOURCE_REACTIVE_URL", database.reactiveUrl());
    env.put("QUARKUS_DATASOURCE_USERNAME", ScratchDatabase.USER);
    env.put("QUARKUS_DATASOURCE_PASSWORD", ScratchDatabase.PASSWORD);
    return env;
  }

  private int status(String url, Duration timeout) {
    try {
      return HTTP.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(timeout).build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
