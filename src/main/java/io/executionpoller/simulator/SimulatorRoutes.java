package io.executionpoller.simulator;

import io.quarkus.arc.properties.IfBuildProperty;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * HTTP face of the simulator, faithful to the AMC notes: the five execution paths ({@link
 * ExecutionOperations}, through {@link AmcCalls}: authorization, latency, faults), the LwA token
 * endpoint ({@link TokenEndpoint}), and presigned-style result URLs that expire, five to a page
 * ({@link S3Objects} serves them). Mounted under /simulator on the API port, only when enabled.
 */
@ApplicationScoped
@IfBuildProperty(name = SimulatorConfig.INCLUDED, stringValue = "true")
class SimulatorRoutes {

  static final String PREFIX = "/simulator";
  private static final String EXECUTIONS = PREFIX + "/amc/reporting/:instanceId/workflowExecutions";

  private final AmcSimulator simulator;
  private final SimulatorConfig config;
  private final TokenEndpoint tokens;
  private final AmcCalls amc;
  private final ExecutionOperations operations;
  private final S3Objects s3;
  private final Handler<RoutingContext> status;

  SimulatorRoutes(AmcSimulator simulator, SimulatorConfig config, Vertx vertx) {
    UrlSigner signer = new UrlSigner();
    this.simulator = simulator;
    this.config = config;
    this.tokens = new TokenEndpoint(simulator.tokens(), config);
    this.amc = new AmcCalls(simulator, config, vertx);
    this.operations = new ExecutionOperations(simulator, config, signer);
    this.s3 = new S3Objects(simulator, config, vertx, signer);
    this.status = amc.handler(Operation.STATUS, SimulatorRoutes::executionKey, operations::status);
  }

  void register(@Observes Router router) {
    if (!config.enabled()) {
      return;
    }
    router.route(PREFIX + "/*").handler(BodyHandler.create().setBodyLimit(1024 * 1024));
    router.post(PREFIX + "/auth/o2/token").handler(tokens::handle);
    router
        .post(EXECUTIONS)
        .handler(amc.handler(Operation.CREATE, Submissions::key, operations::create));
    router
        .get(EXECUTIONS)
        .handler(amc.handler(Operation.LIST, c -> c.pathParam("instanceId"), operations::list));
    router.get(EXECUTIONS + "/:executionId").handler(this::countedStatus);
    router
        .put(EXECUTIONS + "/:executionId")
        .handler(amc.handler(Operation.CANCEL, SimulatorRoutes::executionKey, operations::cancel));
    router
        .get(EXECUTIONS + "/:executionId/downloadUrls")
        .handler(
            amc.handler(
                Operation.DOWNLOAD_URLS, SimulatorRoutes::executionKey, operations::downloadUrls));
    router.get(PREFIX + "/s3/:executionId/:file").handler(s3::get);
  }

  /** Status requests are counted in flight from arrival to the end of the answer. */
  private void countedStatus(RoutingContext ctx) {
    simulator.calls().statusRequestStarted();
    ctx.addEndHandler(done -> simulator.calls().statusRequestEnded());
    status.handle(ctx);
  }

  private static String executionKey(RoutingContext ctx) {
    return ctx.pathParam("executionId");
  }
}
