package io.executionpoller.watchdog;

import io.executionpoller.poll.LoopProgress;
import io.executionpoller.poll.PollConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;

/**
 * Liveness DOWN when the poll loop has stopped making progress, so Kubernetes restarts a pod whose
 * loop hangs. It reads memory only: a database outage ends cycles quickly (failed claims), so the
 * loop keeps making progress and the pod is not restarted for the database's sake.
 */
@Liveness
@ApplicationScoped
public class PollLoopLivenessCheck implements HealthCheck {

  private final LoopProgress progress;
  private final WatchdogConfig config;
  private final PollConfig poll;
  private final Clock clock;

  PollLoopLivenessCheck(
      LoopProgress progress, WatchdogConfig config, PollConfig poll, Clock clock) {
    this.progress = progress;
    this.config = config;
    this.poll = poll;
    this.clock = clock;
  }

  @Override
  public HealthCheckResponse call() {
    LoopProgress.Snapshot snapshot = progress.snapshot();
    boolean watched = config.enabled().orElse(poll.enabled());
    Instant now = clock.instant();
    boolean stalled =
        LoopWatchdog.stalled(watched, snapshot.lastProgress(), now, config.stallAfter());
    HealthCheckResponseBuilder response =
        HealthCheckResponse.named("poll-loop")
            .status(!stalled)
            .withData("watched", watched)
            .withData("lastProgress", String.valueOf(snapshot.lastProgress()))
            .withData("lastCycleEnded", String.valueOf(snapshot.lastCycleEnded()))
            .withData("checksInFlight", snapshot.checksInFlight())
            .withData("cycles", snapshot.cycles())
            .withData("stallAfter", config.stallAfter().toString());
    return response.build();
  }
}
