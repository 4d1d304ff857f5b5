package io.executionpoller.simulator;

import io.quarkus.arc.properties.IfBuildProperty;
import io.vertx.core.json.JsonArray;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.format.DateTimeParseException;

/**
 * Control routes for tests that run the simulator in a process of its own (the process tests kill
 * the daemon, and AMC must outlive it): script how the executions of a workflow behave, and read
 * what the simulator saw. Served with the simulator under {@code /simulator/test}, so only by
 * builds that include it, never by the production package; not part of AMC's API. Bodies: {@link
 * TestRouteBodies}.
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
@IfBuildProperty(name = SimulatorConfig.INCLUDED, stringValue = "true")
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
      script = TestRouteBodies.script(ctx.body().asJsonObject(), config.defaultResultRows());
    } catch (IllegalArgumentException | ClassCastException | DateTimeParseException e) {
      ctx.response().setStatusCode(400).end(String.valueOf(e.getMessage()));
      return;
    }
    simulator.scriptFor(ctx.pathParam("workflowId"), script);
    ctx.response().setStatusCode(204).end();
  }

  private void executions(RoutingContext ctx) {
    JsonArray all = new JsonArray();
    simulator.executionRecords().forEach(record -> all.add(TestRouteBodies.record(record)));
    ctx.response().putHeader("Content-Type", "application/json").end(all.encode());
  }
}
