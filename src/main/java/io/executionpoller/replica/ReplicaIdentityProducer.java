package io.executionpoller.replica;

import io.executionpoller.poll.PollConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The one identity of this process, named by {@code poller.poll.replica-id} when set. */
@ApplicationScoped
class ReplicaIdentityProducer {

  @Produces
  @Singleton
  ReplicaIdentity replicaIdentity(PollConfig config) {
    return ReplicaIdentity.of(config.replicaId());
  }
}
