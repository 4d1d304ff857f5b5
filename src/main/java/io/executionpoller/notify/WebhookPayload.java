package io.executionpoller.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.executionpoller.api.ExecutionQueries;
import io.executionpoller.api.ExecutionView;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The JSON body of a delivery, in the Standard Webhooks shape ({@code type}, {@code timestamp},
 * {@code data}): the event's sequence and the execution as GET /api/v1/executions/{id} shows it
 * when the body is first built, plus the path its result is read from. It never carries a presigned
 * URL or a secret: the API view holds neither.
 */
@Singleton
public class WebhookPayload {

  private final ExecutionQueries executions;
  private final ObjectMapper json;

  WebhookPayload(ExecutionQueries executions, ObjectMapper json) {
    this.executions = executions;
    this.json = json;
  }

  /** The body of {@code delivery}; call in a session. */
  Uni<String> of(ClaimedDelivery delivery) {
    return executions.detail(delivery.executionId()).map(view -> body(delivery, view));
  }

  private String body(ClaimedDelivery delivery, ExecutionView execution) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("sequence", delivery.eventId());
    data.put("execution", execution);
    data.put("resultPath", resultPath(delivery.executionId()));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", delivery.id().toString());
    body.put("type", delivery.eventType());
    body.put("timestamp", delivery.occurredAt());
    body.put("data", data);
    try {
      return json.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a webhook body", e);
    }
  }

  static String resultPath(UUID execution) {
    return "/api/v1/executions/" + execution + "/results";
  }
}
