package io.executionpoller.poll;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the poll loop last did, for the watchdog and the replica heartbeat: progress is a check that
 * ended or a cycle that ended. A loop wedged on calls without deadlines (the monitor-hang
 * post-mortem) makes none; an idle loop makes some every tick.
 */
@ApplicationScoped
public class LoopProgress {

  private final Clock clock;
  private final AtomicReference<Instant> lastProgress;
  private final AtomicReference<Instant> lastCycleEnded = new AtomicReference<>();
  private final AtomicInteger checksInFlight = new AtomicInteger();
  private final AtomicLong cycles = new AtomicLong();

  LoopProgress(Clock clock) {
    this.clock = clock;
    this.lastProgress = new AtomicReference<>(clock.instant());
  }

  void checkStarted() {
    checksInFlight.incrementAndGet();
  }

  void checkEnded() {
    checksInFlight.decrementAndGet();
    lastProgress.set(clock.instant());
  }

  void cycleEnded() {
    Instant now = clock.instant();
    cycles.incrementAndGet();
    lastCycleEnded.set(now);
    lastProgress.set(now);
  }

  /** Snapshot for probes and heartbeats. */
  public Snapshot snapshot() {
    return new Snapshot(
        lastProgress.get(), lastCycleEnded.get(), checksInFlight.get(), cycles.get());
  }

  /** The loop's state at one moment; lastCycleEnded is null before the first cycle ends. */
  public record Snapshot(
      Instant lastProgress, Instant lastCycleEnded, int checksInFlight, long cycles) {}
}
