package io.executionpoller.simulator;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * The real answer of an AMC operation, before any fault changes it: operations compute it rather
 * than write it, so a fault can replace, truncate or drop it.
 */
record Answer(int status, JsonObject body) {

  /** AMC's error shape: {@code {"code":"404","details":...}}. */
  static Answer error(int status, String details) {
    return new Answer(
        status, new JsonObject().put("code", String.valueOf(status)).put("details", details));
  }

  void writeTo(RoutingContext ctx) {
    json(ctx, status, body);
  }

  static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(body.encode());
  }
}
