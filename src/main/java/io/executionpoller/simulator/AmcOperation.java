package io.executionpoller.simulator;

import io.vertx.ext.web.RoutingContext;

/**
 * One of AMC's execution operations. With {@code commit} false a create or cancel only says what it
 * would answer (a TRUNCATED answer must not change anything); reads ignore it.
 */
@FunctionalInterface
interface AmcOperation {
  Answer perform(RoutingContext ctx, boolean commit);
}
