package io.executionpoller.poll;

import jakarta.enterprise.context.ApplicationScoped;
import java.net.InetAddress;
import java.util.UUID;

/** The name this replica writes into leases and events. */
@ApplicationScoped
public class ReplicaIdentity {

  private final String id;

  ReplicaIdentity(PollConfig config) {
    this.id = config.replicaId().orElseGet(ReplicaIdentity::generated);
  }

  public String id() {
    return id;
  }

  private static String generated() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      host = "replica";
    }
    // Restarted pods keep their host name; the suffix keeps a restarted process from
    // mistaking the dead process's leases for its own.
    return host + "-" + UUID.randomUUID().toString().substring(0, 8);
  }
}
