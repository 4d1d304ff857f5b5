package io.executionpoller.simulator;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Control routes for tests that run the simulator in a process of its own (the process tests kill
 * the daemon, and AMC must outlive it): script how the executions of a workflow behave, and read
 * what the simulator saw. Served with the simulator under {@code /simulator/test}, so never in
 * production; not part of AMC's API.
 *
 * <ul>
 *   <li>{@code PUT /simulator/test/scripts/{workflowId}} with {@code {"pendingFor":"PT1S",
 *       "runningFor":"PT2S","publishingFor":"PT0S","finalStatus":"SUCCEEDED","statusReason":null,
 *       "resultRows":5}} (every field optional): executions later created for that saved workflow
 *       follow it. 204.
 *   <li>{@code GET /simulator/test/executions}: every execution with its parameter values, status
 *       now, and the arrival times of its status checks, downloadUrls calls and result file GETs.
 * </ul>
 */
@ApplicationScoped
class SimulatorTestRoutes {

  private static final String PREFIX = SimulatorRoutes.PREFIX + "/test";

  private final AmcSimulator simulator;
  private final SimulatorConfig config;

  SimulatorTestRoutes(AmcSimulator simulator, SimulatorConfig config) {
    this.simulator = simulator;
    this.config = config;
  }

  void register(@Observes Router router) {
    if (!config.enabled()) {
      return;
    }
    // The body handler for /simulator/* is installed by SimulatorRoutes.
    router.put(PREFIX + "/scripts/:workflowId").handler(this::script);
    router.get(PREFIX + "/executions").handler(this::executions);
  }

  private void script(RoutingContext ctx) {
    ExecutionScript script;
    try {
      JsonObject body = ctx.body().asJsonObject();
      if (body == null) {
        throw new IllegalArgumentException("a JSON object is required");
      }
      script =
          new ExecutionScript(
              duration(body, "pendingFor"),
              duration(body, "runningFor"),
              duration(body, "publishingFor"),
              body.getString("finalStatus"),
              body.getString("statusReason"),
              body.getInteger("resultRows", config.defaultResultRows()));
    } catch (IllegalArgumentException | ClassCastException | DateTimeParseException e) {
      ctx.response().setStatusCode(400).end(String.valueOf(e.getMessage()));
      return;
    }
    simulator.scriptFor(ctx.pathParam("workflowId"), script);
    ctx.response().setStatusCode(204).end();
  }

  private void executions(RoutingContext ctx) {
    JsonArray all = new JsonArray();
    for (AmcSimulator.ExecutionRecord record : simulator.executionRecords()) {
      all.add(
          new JsonObject()
              .put("id", record.id())
              .put("instanceId", record.instanceId())
              .put("workflowId", record.workflowId())
              .put("parameterValues", new JsonObject(new LinkedHashMap<>(record.parameterValues())))
              .put("createdAt", record.createdAt().toString())
              .put("status", record.status())
              .put("statusChecks", times(record.statusChecks()))
              .put("downloadUrlCalls", times(record.downloadUrlCalls()))
              .put("s3Gets", times(record.s3Gets())));
    }
    ctx.response().putHeader("Content-Type", "application/json").end(all.encode());
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
}
