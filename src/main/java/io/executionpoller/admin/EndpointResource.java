package io.executionpoller.admin;

import io.executionpoller.api.QueryParams;
import io.executionpoller.security.AccessFilter;
import io.executionpoller.security.Caller;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** PUT /instances/{instanceId}/endpoint: the only way an instance's AMC endpoint changes. */
@Tag(name = "actions")
@Path("/api/v1/instances/{instanceId}/endpoint")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class EndpointResource {

  private final InstanceEndpoints endpoints;

  EndpointResource(InstanceEndpoints endpoints) {
    this.endpoints = endpoints;
  }

  @Operation(
      summary =
          "Point an AMC instance at another allowed endpoint (poller.amc.allowed-api-hosts);"
              + " audited with the operator's name (operator)")
  @PUT
  public Uni<EndpointChange> change(
      @PathParam("instanceId") String instanceId,
      EndpointChange request,
      @Context ContainerRequestContext context) {
    String caller = ((Caller) context.getProperty(AccessFilter.CALLER)).name();
    return endpoints.change(QueryParams.remoteId("instanceId", instanceId), request, caller);
  }
}
