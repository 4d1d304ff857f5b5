package io.executionpoller.process;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The child processes one test started: stopped together on close (SIGTERM to all, as in a
 * rollout), before the scratch database they use is dropped when both are resources of one
 * try-with-resources, database first; and their last lines for a failure message.
 */
final class Daemons implements AutoCloseable, Iterable<PackagedDaemon> {

  private final List<PackagedDaemon> started = new ArrayList<>();

  /** Starts a production daemon and keeps it in this group. */
  PackagedDaemon start(String name, Map<String, String> settings) {
    return add(PackagedDaemon.start(name, settings));
  }

  /** Starts {@code jar} and keeps it in this group. */
  PackagedDaemon start(String name, Path jar, Map<String, String> settings) {
    return add(PackagedDaemon.start(name, jar, settings));
  }

  PackagedDaemon add(PackagedDaemon daemon) {
    started.add(daemon);
    return daemon;
  }

  void addAll(List<PackagedDaemon> daemons) {
    started.addAll(daemons);
  }

  PackagedDaemon get(int index) {
    return started.get(index);
  }

  /** The daemon started under {@code name}. */
  PackagedDaemon named(String name) {
    return started.stream().filter(d -> d.name().equals(name)).findFirst().orElseThrow();
  }

  List<PackagedDaemon> all() {
    return List.copyOf(started);
  }

  @Override
  public Iterator<PackagedDaemon> iterator() {
    return all().iterator();
  }

  /** The last {@code lines} lines of each, for assertion messages. */
  String tails(int lines) {
    return started.stream().map(daemon -> daemon.tail(lines)).collect(Collectors.joining("\n"));
  }

  /** SIGTERM to all at once, then waits for each; those already stopped are skipped. */
  void stopAll() {
    PackagedDaemon.stopAll(started);
  }

  @Override
  public void close() {
    stopAll();
  }
}
