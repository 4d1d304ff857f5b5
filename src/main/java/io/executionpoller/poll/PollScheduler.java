package io.executionpoller.poll;

import io.executionpoller.config.SwitchedOff;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/**
 * Runs the poll cycle on every replica. It uses the in-memory scheduler, not clustered Quartz:
 * polling must run everywhere, and the database leases share the work (ADR 0002). A cycle that is
 * still running when the next tick comes is not started twice.
 */
@ApplicationScoped
class PollScheduler {

  private static final Logger LOG = Logger.getLogger(PollScheduler.class);

  private final PollCycle cycle;
  private final PollConfig config;
  private final LoopMetrics metrics;

  PollScheduler(PollCycle cycle, PollConfig config, LoopMetrics metrics) {
    this.cycle = cycle;
    this.config = config;
    this.metrics = metrics;
  }

  @Scheduled(
      identity = "poll-loop",
      every = "${poller.poll.tick}",
      executeWith = Scheduled.SIMPLE,
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
      skipExecutionIf = PollDisabled.class)
  Uni<Void> poll() {
    return cycle
        .runOnce()
        .invoke(this::logBusyCycle)
        .onFailure()
        .invoke(this::recordFailure)
        .onFailure()
        .recoverWithNull()
        .replaceWithVoid();
  }

  private void logBusyCycle(CycleReport report) {
    if (report.claimed() > 0) {
      LOG.debugf("poll cycle: %s", report);
    }
  }

  private void recordFailure(Throwable failure) {
    // The next tick starts a fresh cycle; leases of this one expire on their own.
    metrics.cycleFailed();
    LOG.errorf("poll cycle failed: %s", failure.toString());
  }

  /**
   * SIGTERM: stop claiming, let the checks in flight finish within poller.poll.shutdown-grace, and
   * release the leases still held so other replicas carry on at once.
   */
  void onStop(@Observes ShutdownEvent event) {
    try {
      cycle.stop(config.shutdownGrace()).await().atMost(config.shutdownGrace().plusSeconds(5));
    } catch (RuntimeException e) {
      // Leases left behind expire by themselves; nothing is lost.
      LOG.warnf("graceful stop of the poll loop incomplete: %s", e.toString());
    }
  }

  /** Skips ticks when the loop is switched off (tests drive cycles themselves). */
  @Singleton
  static class PollDisabled extends SwitchedOff {

    PollDisabled(PollConfig config) {
      super(config::enabled);
    }
  }
}
