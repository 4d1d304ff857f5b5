package io.executionpoller.remote.guard;

import io.executionpoller.remote.AccessTokenProvider;
import io.smallrye.health.api.HealthGroup;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

/**
 * How the remote side looks from here: credentials and every instance's breaker, at {@code
 * /q/health/group/remote}. Deliberately not a readiness check: an AMC outage or a revoked refresh
 * token must not take the daemon out of service (nor stall the rollout that fixes the secret); it
 * pauses the affected calls and says so here and in the metrics.
 */
@HealthGroup("remote")
@ApplicationScoped
public class RemoteHealthCheck implements HealthCheck {

  private final AccessTokenProvider tokens;
  private final RemoteGate gate;

  RemoteHealthCheck(AccessTokenProvider tokens, RemoteGate gate) {
    this.tokens = tokens;
    this.gate = gate;
  }

  @Override
  public HealthCheckResponse call() {
    AccessTokenProvider.CredentialStatus credentials = tokens.status();
    HealthCheckResponseBuilder response =
        HealthCheckResponse.named("amc-remote").withData("credentials", credentials.state().name());
    boolean up = credentials.state() != AccessTokenProvider.CredentialStatus.State.REJECTED;
    if (credentials.error() != null) {
      response.withData("credentialsError", credentials.error());
    }
    if (credentials.pausedUntil() != null) {
      response.withData("credentialsPausedUntil", credentials.pausedUntil().toString());
    }
    for (var entry : gate.breakerSnapshots().entrySet()) {
      CircuitBreaker.Snapshot snapshot = entry.getValue();
      response.withData("breaker." + entry.getKey().instance(), snapshot.state().name());
      up &= snapshot.state() == CircuitBreaker.State.CLOSED;
    }
    return response.status(up).build();
  }
}
