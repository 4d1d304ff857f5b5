package io.executionpoller.notify;

import io.executionpoller.api.ApiProblem;
import io.executionpoller.execution.Workflow;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Webhook subscriptions: operators create, change, pause, rotate and delete them; viewers list them
 * and their deliveries. A secret is answered once, by the request that makes it.
 */
@Tag(name = "notifications")
@Path("/api/v1/subscriptions")
@Produces(MediaType.APPLICATION_JSON)
public class SubscriptionResource {

  private static final int MAX_DELIVERIES = 500;

  private final SubscriptionStore subscriptions;
  private final DeliveryStore deliveries;
  private final WebhookTargets targets;
  private final NotificationsConfig config;
  private final Clock clock;

  SubscriptionResource(
      SubscriptionStore subscriptions,
      DeliveryStore deliveries,
      WebhookTargets targets,
      NotificationsConfig config,
      Clock clock) {
    this.subscriptions = subscriptions;
    this.deliveries = deliveries;
    this.targets = targets;
    this.config = config;
    this.clock = clock;
  }

  @Operation(summary = "Create a subscription; the answer holds its signing secret, shown once.")
  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  public Uni<Response> create(SubscriptionRequest request) {
    if (request == null || request.url() == null || request.eventTypes() == null) {
      throw ApiProblem.badRequest("url and eventTypes are required");
    }
    validate(request);
    UUID id = UUID.randomUUID();
    String secret = WebhookSignature.newSecret();
    Instant now = clock.instant();
    return Panache.withTransaction(
            () ->
                workflowExists(request.workflowId())
                    .chain(() -> subscriptions.create(id, request, null, secret, now))
                    .chain(() -> subscriptions.one(id, now)))
        .map(
            created ->
                Response.created(URI.create("/api/v1/subscriptions/" + id))
                    .entity(created.withSecret(secret))
                    .build());
  }

  @Operation(summary = "List subscriptions (without secrets).")
  @GET
  public Uni<List<SubscriptionView>> list() {
    return Panache.withSession(() -> subscriptions.list(clock.instant()));
  }

  @Operation(summary = "One subscription (without its secret).")
  @GET
  @Path("/{id}")
  public Uni<SubscriptionView> one(@PathParam("id") String id) {
    UUID key = uuid(id);
    return Panache.withSession(() -> subscriptions.one(key, clock.instant()))
        .onItem()
        .ifNull()
        .failWith(() -> notFound(key));
  }

  @Operation(summary = "Change a subscription's url, event types, enabled flag or description.")
  @PATCH
  @Path("/{id}")
  @Consumes(MediaType.APPLICATION_JSON)
  public Uni<SubscriptionView> update(@PathParam("id") String id, SubscriptionRequest change) {
    UUID key = uuid(id);
    if (change == null) {
      throw ApiProblem.badRequest("a body is required");
    }
    if (change.workflowId() != null || change.instanceId() != null) {
      throw ApiProblem.badRequest("workflowId and instanceId are fixed at creation");
    }
    validate(change);
    Instant now = clock.instant();
    return changed(key, () -> subscriptions.update(key, change, now));
  }

  @Operation(
      summary =
          "Replace the signing secret; the old one keeps signing for"
              + " poller.notifications.secret-grace. The answer holds the new secret, shown once.")
  @POST
  @Path("/{id}/rotate-secret")
  public Uni<SubscriptionView> rotate(@PathParam("id") String id) {
    UUID key = uuid(id);
    String secret = WebhookSignature.newSecret();
    Instant now = clock.instant();
    return changed(
            key, () -> subscriptions.rotate(key, secret, now, now.plus(config.secretGrace())))
        .map(view -> view.withSecret(secret));
  }

  @Operation(summary = "Hold a subscription's deliveries (new ones are still written).")
  @POST
  @Path("/{id}/pause")
  public Uni<SubscriptionView> pause(@PathParam("id") String id) {
    UUID key = uuid(id);
    Instant now = clock.instant();
    return changed(key, () -> subscriptions.pause(key, true, now));
  }

  @Operation(summary = "Send a paused subscription's deliveries again.")
  @POST
  @Path("/{id}/resume")
  public Uni<SubscriptionView> resume(@PathParam("id") String id) {
    UUID key = uuid(id);
    Instant now = clock.instant();
    return changed(key, () -> subscriptions.pause(key, false, now));
  }

  @Operation(summary = "Delete a subscription and its deliveries.")
  @DELETE
  @Path("/{id}")
  public Uni<Response> delete(@PathParam("id") String id) {
    UUID key = uuid(id);
    return Panache.withTransaction(() -> subscriptions.delete(key))
        .map(
            deleted -> {
              if (!deleted) {
                throw notFound(key);
              }
              return Response.noContent().build();
            });
  }

  @Operation(summary = "A subscription's deliveries, newest first.")
  @GET
  @Path("/{id}/deliveries")
  public Uni<List<DeliveryView>> deliveries(
      @PathParam("id") String id, @QueryParam("limit") Integer limit) {
    UUID key = uuid(id);
    int size = limit == null ? 100 : Math.max(1, Math.min(MAX_DELIVERIES, limit));
    return Panache.withSession(
        () ->
            subscriptions
                .one(key, clock.instant())
                .onItem()
                .ifNull()
                .failWith(() -> notFound(key))
                .chain(() -> deliveries.ofSubscription(key, size)));
  }

  private Uni<SubscriptionView> changed(UUID id, java.util.function.Supplier<Uni<Boolean>> write) {
    return Panache.withTransaction(
        () ->
            write
                .get()
                .chain(
                    found -> {
                      if (!found) {
                        return Uni.createFrom().failure(notFound(id));
                      }
                      return subscriptions.one(id, clock.instant());
                    }));
  }

  private void validate(SubscriptionRequest request) {
    if (request.url() != null) {
      targets
          .refusal(request.url())
          .ifPresent(
              reason -> {
                throw ApiProblem.badRequest(reason);
              });
    }
    if (request.eventTypes() != null) {
      if (request.eventTypes().isEmpty()) {
        throw ApiProblem.badRequest("eventTypes must name at least one event type");
      }
      for (String type : request.eventTypes()) {
        if (type == null || WebhookEvent.named(type).isEmpty()) {
          throw ApiProblem.badRequest("unknown event type " + type + "; known: " + known());
        }
      }
    }
  }

  private static String known() {
    return String.join(
        ", ", java.util.Arrays.stream(WebhookEvent.values()).map(WebhookEvent::wireName).toList());
  }

  private static Uni<Void> workflowExists(UUID workflow) {
    if (workflow == null) {
      return Uni.createFrom().voidItem();
    }
    return Workflow.<Workflow>findById(workflow)
        .onItem()
        .ifNull()
        .failWith(() -> ApiProblem.badRequest("workflow " + workflow + " does not exist"))
        .replaceWithVoid();
  }

  static UUID uuid(String id) {
    try {
      return UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      throw ApiProblem.notFound("no such id " + id);
    }
  }

  private static ApiProblem notFound(UUID id) {
    return ApiProblem.notFound("subscription " + id + " does not exist");
  }
}
