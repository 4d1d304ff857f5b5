package io.executionpoller.support;

import io.executionpoller.poll.PollConfig;
import java.time.Duration;
import java.util.Optional;

/** A poll configuration for cycles that tests build themselves. */
public record TestPollConfig(
    int maxConcurrentPolls, int batchSize, Duration interval, Duration checkDeadline)
    implements PollConfig {

  public static TestPollConfig defaults() {
    return new TestPollConfig(10, 100, Duration.ofSeconds(15), Duration.ofSeconds(90));
  }

  public TestPollConfig withConcurrency(int concurrency) {
    return new TestPollConfig(concurrency, batchSize, interval, checkDeadline);
  }

  public TestPollConfig withBatchSize(int size) {
    return new TestPollConfig(maxConcurrentPolls, size, interval, checkDeadline);
  }

  public TestPollConfig withCheckDeadline(Duration deadline) {
    return new TestPollConfig(maxConcurrentPolls, batchSize, interval, deadline);
  }

  @Override
  public boolean enabled() {
    return false;
  }

  @Override
  public Duration tick() {
    return Duration.ofSeconds(1);
  }

  @Override
  public int maxChecksPerCycle() {
    return 100_000;
  }

  @Override
  public Duration leaseDuration() {
    return Duration.ofMinutes(2);
  }

  @Override
  public int maxConsecutivePollErrors() {
    return 5;
  }

  @Override
  public Duration writeFlushInterval() {
    return Duration.ofMillis(50);
  }

  @Override
  public Duration shutdownGrace() {
    return Duration.ofSeconds(20);
  }

  @Override
  public Optional<String> replicaId() {
    return Optional.empty();
  }
}
