package io.executionpoller.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.executionpoller.api.ApiProblem;
import io.executionpoller.execution.EventType;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.groups.UniRepeat;
import io.vertx.core.Vertx;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The audit trail as Server-Sent Events. The stream is pulled: the next page is read from the
 * database only when the previous events were written to the connection, so a slow reader holds
 * back its own stream and at most one page of it in memory, however far behind it is.
 */
@Tag(name = "events")
@Path("/api/v1/events/stream")
public class EventStreamResource {

  private final EventStreamStore store;
  private final NotificationsConfig config;
  private final ObjectMapper json;

  EventStreamResource(EventStreamStore store, NotificationsConfig config, ObjectMapper json) {
    this.store = store;
    this.config = config;
    this.json = json;
  }

  @Operation(
      summary =
          "Follow the audit trail (text/event-stream): id = the event's global sequence; resume"
              + " with Last-Event-ID; filter by workflowId, instanceId and type (repeatable);"
              + " follow=false ends the stream once it has caught up.")
  @GET
  @Produces(MediaType.SERVER_SENT_EVENTS)
  public Multi<OutboundSseEvent> stream(
      @Context Sse sse,
      @HeaderParam("Last-Event-ID") String lastEventId,
      @QueryParam("after") Long after,
      @QueryParam("workflowId") UUID workflowId,
      @QueryParam("instanceId") String instanceId,
      @QueryParam("type") List<String> types,
      @QueryParam("follow") @DefaultValue("true") boolean follow) {
    EventStreamStore.Filter filter =
        new EventStreamStore.Filter(workflowId, instanceId, types(types));
    // Boxed on both sides: a ternary of long and Long would unbox a missing after and throw.
    Long resumeFrom = lastEventId != null ? Long.valueOf(parse(lastEventId)) : after;
    Executor onRequestContext = onContext(Vertx.currentContext());
    Uni<EventStreamStore.Position> start =
        resumeFrom != null ? store.positionOf(resumeFrom) : store.now();
    return start
        .toMulti()
        .onItem()
        .transformToMultiAndConcatenate(
            first -> pages(new AtomicReference<>(first), filter, follow, onRequestContext))
        .map(event -> outbound(sse, event));
  }

  /**
   * Page after page, each read only once the one before was taken; a caught-up follower waits,
   * anyone else is done.
   */
  private Multi<StreamedEvent> pages(
      AtomicReference<EventStreamStore.Position> cursor,
      EventStreamStore.Filter filter,
      boolean follow,
      Executor context) {
    NotificationsConfig.Stream settings = config.stream();
    UniRepeat<EventStreamStore.Page> repeated =
        Multi.createBy().repeating().uni(() -> nextPage(cursor, filter, settings, follow, context));
    return (follow ? repeated.indefinitely() : repeated.whilst(EventStreamStore.Page::full))
        .onItem()
        .transformToIterable(EventStreamStore.Page::events);
  }

  private Uni<EventStreamStore.Page> nextPage(
      AtomicReference<EventStreamStore.Position> cursor,
      EventStreamStore.Filter filter,
      NotificationsConfig.Stream settings,
      boolean follow,
      Executor context) {
    return Uni.createFrom()
        .voidItem()
        .emitOn(context)
        .chain(() -> store.after(cursor.get(), filter, settings.pageSize()))
        .invoke(page -> cursor.set(page.next()))
        .call(
            page ->
                !follow || page.full() || !page.events().isEmpty()
                    ? Uni.createFrom().voidItem()
                    : Uni.createFrom().voidItem().onItem().delayIt().by(settings.pollInterval()));
  }

  private OutboundSseEvent outbound(Sse sse, StreamedEvent event) {
    try {
      return sse.newEventBuilder()
          .id(Long.toString(event.sequence()))
          .name(event.type())
          .mediaType(MediaType.APPLICATION_JSON_TYPE)
          .data(json.writeValueAsString(event))
          .build();
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a stream event", e);
    }
  }

  /** Sessions need the request's Vert.x context; delays hand the work to other threads. */
  private static Executor onContext(io.vertx.core.Context context) {
    if (context == null) {
      throw new IllegalStateException("the event stream must start on a Vert.x context");
    }
    return command -> context.runOnContext(ignored -> command.run());
  }

  private static List<String> types(List<String> types) {
    if (types == null || types.isEmpty()) {
      return null;
    }
    for (String type : types) {
      try {
        EventType.valueOf(type);
      } catch (IllegalArgumentException e) {
        throw ApiProblem.badRequest("unknown event type " + type);
      }
    }
    return types;
  }

  private static long parse(String lastEventId) {
    try {
      return Long.parseLong(lastEventId.trim());
    } catch (NumberFormatException e) {
      throw ApiProblem.badRequest("Last-Event-ID must be an event sequence");
    }
  }
}
