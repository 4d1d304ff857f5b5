package io.executionpoller.bulk;

import io.executionpoller.security.AccessFilter;
import io.executionpoller.security.Caller;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
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

/**
 * Cancel, retry or check-now over every execution a filter matches, or a list of ids: a preview
 * first, then a confirmation with a reason that queues a job worked in the background at {@code
 * poller.bulk.rate-per-second}. JSON only, so a page on another site cannot post one. Its own
 * class: under /executions/{id} a path such as /executions/bulk/cancel would be a single cancel.
 */
@Tag(name = "bulk")
@Path("/api/v1/executions/bulk")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class BulkResource {

  private final BulkJobs jobs;

  BulkResource(BulkJobs jobs) {
    this.jobs = jobs;
  }

  @Operation(
      summary =
          "What a bulk action would do, changing nothing: the executions matched and how many"
              + " the action applies to (operator)")
  @POST
  @Path("/{action}/preview")
  public Uni<BulkPreview> preview(@PathParam("action") String action, BulkRequest request) {
    return jobs.preview(BulkAction.ofPath(action), request);
  }

  @Operation(
      summary =
          "Start a bulk cancel, retry or check-now: needs a reason and the previewed count as"
              + " confirm (operator)")
  @POST
  @Path("/{action}")
  public Uni<Response> start(
      @PathParam("action") String action,
      BulkRequest request,
      @Context ContainerRequestContext context) {
    return jobs.start(BulkAction.ofPath(action), request, caller(context))
        .map(
            job ->
                Response.accepted(job)
                    .location(URI.create("/api/v1/bulk-jobs/" + job.id()))
                    .build());
  }

  private static String caller(ContainerRequestContext request) {
    return ((Caller) request.getProperty(AccessFilter.CALLER)).name();
  }
}
