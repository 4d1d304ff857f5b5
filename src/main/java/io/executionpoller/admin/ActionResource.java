package io.executionpoller.admin;

import io.executionpoller.api.QueryParams;
import io.executionpoller.security.AccessFilter;
import io.executionpoller.security.Caller;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** POST /executions/{id}/cancel, /retry and /poll: operator actions, each recorded as an event. */
@Tag(name = "actions")
@Path("/api/v1/executions/{id}")
@Produces(MediaType.APPLICATION_JSON)
public class ActionResource {

  private final ExecutionCancel cancels;
  private final ExecutionActions actions;

  ActionResource(ExecutionCancel cancels, ExecutionActions actions) {
    this.cancels = cancels;
    this.actions = actions;
  }

  @Operation(
      summary = "Cancel a PENDING or RUNNING execution: at AMC first, then locally (operator)")
  @POST
  @Path("/cancel")
  public Uni<ActionOutcome> cancel(
      @PathParam("id") String id, @Context ContainerRequestContext request) {
    return cancels.cancel(QueryParams.uuid("id", id), caller(request));
  }

  @Operation(
      summary =
          "Run a FAILED, TIMEOUT or CANCELLED execution again as a new linked execution (operator)")
  @POST
  @Path("/retry")
  public Uni<Response> retry(@PathParam("id") String id, @Context ContainerRequestContext request) {
    return actions
        .retry(QueryParams.uuid("id", id), caller(request))
        .map(
            outcome ->
                Response.created(URI.create("/api/v1/executions/" + outcome.retryId()))
                    .entity(outcome)
                    .build());
  }

  @Operation(summary = "Check a PENDING or RUNNING execution now (operator)")
  @POST
  @Path("/poll")
  public Uni<Response> poll(@PathParam("id") String id, @Context ContainerRequestContext request) {
    return actions
        .pollNow(QueryParams.uuid("id", id), caller(request))
        .map(outcome -> Response.accepted(outcome).build());
  }

  private static String caller(ContainerRequestContext request) {
    return ((Caller) request.getProperty(AccessFilter.CALLER)).name();
  }
}
