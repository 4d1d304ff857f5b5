package io.executionpoller.api;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** POST /api/v1/executions/batch: many registrations in one request and one transaction. */
@Tag(name = "executions")
@Path("/api/v1/executions/batch")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class BatchResource {

  private final BatchRegistrations batches;

  BatchResource(BatchRegistrations batches) {
    this.batches = batches;
  }

  @Operation(
      summary =
          "Register up to 1000 executions in one transaction, each with its own idempotencyKey:"
              + " 200 when all were stored (201 or 200 per item), 422 when any item was refused"
              + " (then none was stored; each item says why or 424)")
  @POST
  public Uni<Response> register(BatchRegistration request) {
    return batches
        .register(request)
        .map(answer -> Response.status(answer.stored() ? 200 : 422).entity(answer).build());
  }
}
