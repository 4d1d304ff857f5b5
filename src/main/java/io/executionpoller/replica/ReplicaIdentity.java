package io.executionpoller.replica;

import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * The name this replica writes into leases, events and heartbeats: the loop, downloads,
 * housekeeping and operator actions all sign their work with it.
 */
public record ReplicaIdentity(String id) {

  public ReplicaIdentity {
    Objects.requireNonNull(id, "id");
  }

  /** The configured name, or else the host name with a random suffix. */
  static ReplicaIdentity of(Optional<String> configured) {
    return new ReplicaIdentity(configured.orElseGet(ReplicaIdentity::generated));
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
