package io.executionpoller.simulator;

import static io.executionpoller.simulator.RequestReading.localTime;
import static io.executionpoller.simulator.RequestReading.string;
import static io.executionpoller.simulator.RequestReading.zone;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Create request bodies: checked as AMC checks them, and keyed as scripts and faults are. */
final class Submissions {

  private static final Set<String> TIME_WINDOW_TYPES =
      Set.of(
          "EXPLICIT",
          "MOST_RECENT_DAY",
          "MOST_RECENT_WEEK",
          "CURRENT_MONTH",
          "PREVIOUS_MONTH",
          "ALL");

  private Submissions() {}

  /** Create faults are keyed like scripts: the workflowId, else the ad hoc query text. */
  static String key(RoutingContext ctx) {
    try {
      JsonObject body = ctx.body().asJsonObject();
      if (body == null) {
        return null;
      }
      String workflowId = body.getString("workflowId");
      if (workflowId != null) {
        return workflowId;
      }
      JsonObject workflow = body.getJsonObject("workflow");
      return workflow == null ? null : workflow.getString("sqlQuery");
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** Reads and checks the create body as AMC would; throws BadRequest. */
  static SimulatedExecution.Submission read(JsonObject body) {
    String workflowId = string(body, "workflowId");
    Object workflowField = body.getValue("workflow");
    if (workflowField != null && !(workflowField instanceof JsonObject)) {
      throw new BadRequest("workflow must be an object");
    }
    String sqlQuery = workflowField == null ? null : string((JsonObject) workflowField, "sqlQuery");
    if ((workflowId == null) == (sqlQuery == null)) {
      throw new BadRequest("Exactly one of workflowId and workflow.sqlQuery is required");
    }
    Map<String, String> parameterValues = parameterValues(body.getValue("parameterValues"));
    String type = string(body, "timeWindowType");
    String start = string(body, "timeWindowStart");
    String end = string(body, "timeWindowEnd");
    String timeZone = string(body, "timeWindowTimeZone");
    if (type != null && !TIME_WINDOW_TYPES.contains(type)) {
      throw new BadRequest("timeWindowType must be one of " + new TreeSet<>(TIME_WINDOW_TYPES));
    }
    boolean explicit = "EXPLICIT".equals(type);
    if (explicit != (start != null && end != null)
        || (!explicit && (start != null || end != null))) {
      throw new BadRequest(
          "timeWindowStart and timeWindowEnd are required with EXPLICIT, and only with it");
    }
    if (timeZone != null) {
      zone(timeZone, "timeWindowTimeZone");
    }
    if (explicit) {
      localTime(start, "timeWindowStart");
      localTime(end, "timeWindowEnd");
    }
    return new SimulatedExecution.Submission(
        workflowId, sqlQuery, parameterValues, type, start, end, timeZone);
  }

  private static Map<String, String> parameterValues(Object parameters) {
    Map<String, String> parameterValues = new LinkedHashMap<>();
    if (parameters == null) {
      return parameterValues;
    }
    if (!(parameters instanceof JsonObject)) {
      throw new BadRequest("parameterValues must be an object of strings");
    }
    for (Map.Entry<String, Object> entry : (JsonObject) parameters) {
      if (!(entry.getValue() instanceof String)) {
        throw new BadRequest("parameterValues." + entry.getKey() + " must be a string");
      }
      parameterValues.put(entry.getKey(), (String) entry.getValue());
    }
    return parameterValues;
  }
}
