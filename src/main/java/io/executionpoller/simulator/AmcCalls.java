package io.executionpoller.simulator;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.function.Function;

/**
 * The way every AMC API call goes: counted on arrival, authorized (bearer token, the three
 * Amazon-Advertising-API headers, the client id), held for the configured latency, then answered by
 * its operation or by one injected {@link Fault}.
 */
final class AmcCalls {

  private static final String ADVERTISER_HEADER = "Amazon-Advertising-API-AdvertiserId";

  private final AmcSimulator simulator;
  private final SimulatorConfig config;
  private final Vertx vertx;
  private final FaultAnswers faultAnswers;

  AmcCalls(AmcSimulator simulator, SimulatorConfig config, Vertx vertx) {
    this.simulator = simulator;
    this.config = config;
    this.vertx = vertx;
    this.faultAnswers = new FaultAnswers(vertx, simulator);
  }

  /** A route handler for {@code operation}, its faults scripted under the key {@code key} reads. */
  Handler<RoutingContext> handler(
      Operation operation, Function<RoutingContext, String> key, AmcOperation action) {
    return ctx -> call(ctx, operation, key, action);
  }

  private void call(
      RoutingContext ctx,
      Operation operation,
      Function<RoutingContext, String> key,
      AmcOperation action) {
    simulator.calls().recordArrival(ctx.request().getHeader(ADVERTISER_HEADER));
    String authorization = ctx.request().getHeader("Authorization");
    String token =
        authorization != null && authorization.startsWith("Bearer ")
            ? authorization.substring(7)
            : null;
    if (token == null || !simulator.tokens().isValid(token)) {
      amcError(ctx, 401, "Unauthorized. Token expired or invalid");
      return;
    }
    for (String header :
        List.of(
            "Amazon-Advertising-API-ClientId",
            ADVERTISER_HEADER,
            "Amazon-Advertising-API-MarketplaceId")) {
      String value = ctx.request().getHeader(header);
      if (value == null || value.isBlank()) {
        amcError(ctx, 400, "Missing required header " + header);
        return;
      }
    }
    if (!config.clientId().equals(ctx.request().getHeader("Amazon-Advertising-API-ClientId"))) {
      amcError(ctx, 401, "Unknown client id");
      return;
    }
    // AMC answers after a while; the latency makes concurrency observable.
    long delay =
        simulator.latency().toMillis()
            + (operation == Operation.CREATE ? config.createLatency().toMillis() : 0);
    if (delay <= 0) {
      answer(ctx, operation, token, key.apply(ctx), action);
    } else {
      vertx.setTimer(delay, id -> answer(ctx, operation, token, key.apply(ctx), action));
    }
  }

  private void answer(
      RoutingContext ctx, Operation operation, String token, String key, AmcOperation action) {
    Fault fault = simulator.faults().next(operation, key).orElse(null);
    if (fault != Fault.TOKEN_EXPIRED) {
      simulator.calls().recordCall(operation, key);
    }
    if (fault == null) {
      action.perform(ctx, true).writeTo(ctx);
    } else {
      faultAnswers.answer(ctx, fault, token, action);
    }
  }

  private static void amcError(RoutingContext ctx, int status, String details) {
    Answer.error(status, details).writeTo(ctx);
  }
}
