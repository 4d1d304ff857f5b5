package io.executionpoller.api;

import io.executionpoller.security.AccessFilter;
import io.executionpoller.security.Caller;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** POST /api/v1/executions/backfill: one execution per time window, through the batch path. */
@Tag(name = "executions")
@Path("/api/v1/executions/backfill")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class BackfillResource {

  private final Backfills backfills;

  BackfillResource(Backfills backfills) {
    this.backfills = backfills;
  }

  @Operation(
      summary =
          "Register one execution of a workflow per UTC window (DAILY, WEEKLY, MONTHLY) from"
              + " `from` (inclusive) to `to` (exclusive), as one all-or-nothing batch (operator)."
              + " dryRun answers the windows only. 200 when stored or previewed, 422 when a"
              + " window was refused (nothing stored) or the range is impossible, 400 for a"
              + " malformed field, 404 for an unknown workflow.")
  @POST
  public Uni<Response> backfill(BackfillRequest request, @Context ContainerRequestContext context) {
    String by = ((Caller) context.getProperty(AccessFilter.CALLER)).name();
    return backfills
        .backfill(request, by)
        .map(
            answer ->
                Response.status(
                        answer.registration() == null || answer.registration().stored() ? 200 : 422)
                    .entity(answer)
                    .build());
  }
}
