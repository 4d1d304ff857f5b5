package io.executionpoller.simulator;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The bodies of the simulator's test routes ({@link SimulatorTestRoutes}), written and read in one
 * place: the routes and the process tests that call them from outside the process use these, so the
 * shape of a script and of an {@link AmcSimulator.ExecutionRecord} is declared once.
 */
public final class TestRouteBodies {

  private TestRouteBodies() {}

  /** The body of {@code PUT /simulator/test/scripts/{workflowId}}. */
  public static JsonObject script(ExecutionScript script) {
    return new JsonObject()
        .put("pendingFor", script.pendingFor().toString())
        .put("runningFor", script.runningFor().toString())
        .put("publishingFor", script.publishingFor().toString())
        .put("finalStatus", script.finalStatus())
        .put("statusReason", script.statusReason())
        .put("resultRows", script.resultRows());
  }

  /**
   * A script from its body; absent fields take the script's defaults, absent rows {@code
   * defaultRows}.
   *
   * @throws RuntimeException (IllegalArgumentException, ClassCastException, DateTimeParseException)
   *     when a field does not read
   */
  static ExecutionScript script(JsonObject body, int defaultRows) {
    if (body == null) {
      throw new IllegalArgumentException("a JSON object is required");
    }
    return new ExecutionScript(
        duration(body, "pendingFor"),
        duration(body, "runningFor"),
        duration(body, "publishingFor"),
        body.getString("finalStatus"),
        body.getString("statusReason"),
        body.getInteger("resultRows", defaultRows));
  }

  /** One element of {@code GET /simulator/test/executions}. */
  static JsonObject record(AmcSimulator.ExecutionRecord record) {
    return new JsonObject()
        .put("id", record.id())
        .put("instanceId", record.instanceId())
        .put("workflowId", record.workflowId())
        .put("parameterValues", new JsonObject(new LinkedHashMap<>(record.parameterValues())))
        .put("createdAt", record.createdAt().toString())
        .put("status", record.status())
        .put("statusChecks", times(record.statusChecks()))
        .put("downloadUrlCalls", times(record.downloadUrlCalls()))
        .put("s3Gets", times(record.s3Gets()))
        .put("startedAt", text(record.startedAt()))
        .put("finishedAt", text(record.finishedAt()));
  }

  private static String text(Instant instant) {
    return instant == null ? null : instant.toString();
  }

  private static Instant instant(String text) {
    return text == null ? null : Instant.parse(text);
  }

  /** The answer of {@code GET /simulator/test/executions}, read back. */
  public static List<AmcSimulator.ExecutionRecord> records(String body) {
    List<AmcSimulator.ExecutionRecord> records = new ArrayList<>();
    for (Object element : new JsonArray(body)) {
      JsonObject node = (JsonObject) element;
      Map<String, String> parameters = new LinkedHashMap<>();
      node.getJsonObject("parameterValues")
          .forEach(entry -> parameters.put(entry.getKey(), String.valueOf(entry.getValue())));
      records.add(
          new AmcSimulator.ExecutionRecord(
              node.getString("id"),
              node.getString("instanceId"),
              node.getString("workflowId"),
              parameters,
              Instant.parse(node.getString("createdAt")),
              node.getString("status"),
              instants(node.getJsonArray("statusChecks")),
              instants(node.getJsonArray("downloadUrlCalls")),
              instants(node.getJsonArray("s3Gets")),
              instant(node.getString("startedAt")),
              instant(node.getString("finishedAt"))));
    }
    return records;
  }

  private static Duration duration(JsonObject body, String field) {
    String value = body.getString(field);
    return value == null ? null : Duration.parse(value);
  }

  private static JsonArray times(List<Instant> instants) {
    JsonArray array = new JsonArray();
    instants.forEach(instant -> array.add(instant.toString()));
    return array;
  }

  private static List<Instant> instants(JsonArray array) {
    List<Instant> instants = new ArrayList<>();
    array.forEach(value -> instants.add(Instant.parse((String) value)));
    return instants;
  }
}
