package io.executionpoller.bulk;

import io.executionpoller.api.QueryParams;
import io.executionpoller.security.AccessFilter;
import io.executionpoller.security.Caller;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The bulk jobs an operator started: their progress, and a way to stop one. */
@Tag(name = "bulk")
@Path("/api/v1/bulk-jobs")
@Produces(MediaType.APPLICATION_JSON)
public class BulkJobResource {

  private final BulkJobs jobs;

  BulkJobResource(BulkJobs jobs) {
    this.jobs = jobs;
  }

  @Operation(summary = "Bulk jobs, newest first, with their progress")
  @GET
  public Uni<List<BulkJobView>> list() {
    return jobs.newest();
  }

  @Operation(summary = "One bulk job: its progress and the executions skipped or failed")
  @GET
  @Path("/{id}")
  public Uni<BulkJobView> get(@PathParam("id") String id) {
    return jobs.find(QueryParams.uuid("id", id));
  }

  @Operation(summary = "Stop a bulk job; executions not worked yet are left alone (operator)")
  @POST
  @Path("/{id}/cancel")
  public Uni<BulkJobView> cancel(
      @PathParam("id") String id, @Context ContainerRequestContext context) {
    return jobs.cancel(QueryParams.uuid("id", id), caller(context));
  }

  private static String caller(ContainerRequestContext request) {
    return ((Caller) request.getProperty(AccessFilter.CALLER)).name();
  }
}
