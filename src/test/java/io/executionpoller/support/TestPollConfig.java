package io.executionpoller.support;

import io.executionpoller.poll.PollConfig;
import java.time.Duration;
import java.util.Optional;

/** A poll configuration for cycles that tests build themselves. */
public record TestPollConfig(
    int maxConcurrentPolls,
    int batchSize,
    Duration interval,
    Duration checkDeadline,
    int maxChecksPerCycle)
    implements PollConfig {

  public TestPollConfig(
      int maxConcurrentPolls, int batchSize, Duration interval, Duration checkDeadline) {
    this(maxConcurrentPolls, batchSize, interval, checkDeadline, 100_000);
  }

  public static TestPollConfig defaults() {
    return new TestPollConfig(10, 100, Duration.ofSeconds(15), Duration.ofSeconds(90));
  }

  public TestPollConfig withConcurrency(int concurrency) {
    return new TestPollConfig(concurrency, batchSize, interval, checkDeadline, maxChecksPerCycle);
  }

  public TestPollConfig withBatchSize(int size) {
    return new TestPollConfig(maxConcurrentPolls, size, interval, checkDeadline, maxChecksPerCycle);
  }

  public TestPollConfig withCheckDeadline(Duration deadline) {
    return new TestPollConfig(maxConcurrentPolls, batchSize, interval, deadline, maxChecksPerCycle);
  }

  public TestPollConfig withMaxChecksPerCycle(int checks) {
    return new TestPollConfig(maxConcurrentPolls, batchSize, interval, checkDeadline, checks);
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
