package io.executionpoller.dashboard;

import io.executionpoller.execution.EventType;
import io.quarkus.qute.TemplateGlobal;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * What live.js needs from the server: the event stream names its SSE events by the audit event's
 * type, and an EventSource hears a named event only through a listener for that name, so the page
 * hands the script every name from the enum (a new type needs no script change).
 */
@TemplateGlobal
public class LiveUpdates {

  /** Every event type, space-separated, for the script tag's data-event-types. */
  static final String liveEventTypes =
      Arrays.stream(EventType.values()).map(Enum::name).collect(Collectors.joining(" "));

  private LiveUpdates() {}
}
