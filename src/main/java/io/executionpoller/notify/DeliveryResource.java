package io.executionpoller.notify;

import io.executionpoller.api.ApiProblem;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Webhook deliveries: an execution's, one by id, and an operator's redelivery. */
@Tag(name = "notifications")
@Path("/api/v1/deliveries")
@Produces(MediaType.APPLICATION_JSON)
public class DeliveryResource {

  private static final int MAX_DELIVERIES = 500;

  private final DeliveryStore deliveries;
  private final Clock clock;

  DeliveryResource(DeliveryStore deliveries, Clock clock) {
    this.deliveries = deliveries;
    this.clock = clock;
  }

  @Operation(summary = "The webhook deliveries of one execution, oldest first.")
  @GET
  public Uni<List<DeliveryView>> ofExecution(
      @QueryParam("executionId") String executionId, @QueryParam("limit") Integer limit) {
    if (executionId == null) {
      throw ApiProblem.badRequest("executionId is required");
    }
    UUID execution = SubscriptionResource.uuid(executionId);
    int size = limit == null ? 100 : Math.max(1, Math.min(MAX_DELIVERIES, limit));
    return Panache.withSession(() -> deliveries.ofExecution(execution, size));
  }

  @Operation(summary = "One delivery: status, attempts, last answer and error, next attempt.")
  @GET
  @Path("/{id}")
  public Uni<DeliveryView> one(@PathParam("id") String id) {
    UUID key = SubscriptionResource.uuid(id);
    return Panache.withSession(() -> deliveries.one(key))
        .onItem()
        .ifNull()
        .failWith(() -> notFound(key));
  }

  @Operation(
      summary =
          "Send a delivery again now, with the same webhook-id and body, whatever its status;"
              + " its max-age counts from now.")
  @POST
  @Path("/{id}/redeliver")
  public Uni<DeliveryView> redeliver(@PathParam("id") String id) {
    UUID key = SubscriptionResource.uuid(id);
    Instant now = clock.instant();
    return Panache.withTransaction(
        () ->
            deliveries
                .redeliver(key, now)
                .chain(
                    found ->
                        found ? deliveries.one(key) : Uni.createFrom().failure(notFound(key))));
  }

  private static ApiProblem notFound(UUID id) {
    return ApiProblem.notFound("delivery " + id + " does not exist");
  }
}
