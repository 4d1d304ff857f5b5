package io.executionpoller.watchdog;

import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** GET /api/v1/replicas: who is polling, from the heartbeat rows. */
@Tag(name = "operations")
@Path("/api/v1/replicas")
public class ReplicaResource {

  private final Replicas replicas;

  ReplicaResource(Replicas replicas) {
    this.replicas = replicas;
  }

  @Operation(summary = "Replicas from their heartbeats")
  @GET
  @Produces(MediaType.APPLICATION_JSON)
  @WithSession
  public Uni<List<Replicas.Replica>> list() {
    return replicas.list();
  }
}
