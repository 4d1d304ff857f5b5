package io.executionpoller.poll;

import io.vertx.core.Vertx;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.impl.VertxInternal;
import jakarta.inject.Singleton;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where the loop's checks start: Vert.x event loops, a fresh duplicated context for each batch the
 * claims hand on, round robin over one context per event loop. A check then goes on wherever its
 * answers arrive (the event loop of its connection, or a shared call's context), and the next check
 * of the pipeline starts where the last one ended: nothing in the loop keeps state on a context, so
 * which context a check ends on does not matter, only that it is an event loop and not a worker.
 *
 * <p>Everything a check does is non-blocking (the web client to AMC, the reactive client to
 * PostgreSQL), and both clients answer on the context that sent the request. Run from a worker
 * thread instead, every answer of both clients, and every answer through SmallRye Fault Tolerance's
 * guards, is handed to a worker thread again ({@code executeBlocking}) with its context captured
 * and restored: measured, that cost more CPU than the checks themselves. A duplicated context per
 * batch keeps what Vert.x and its integrations store on a context (local data) apart between
 * batches, as Quarkus does for each request.
 */
@Singleton
public class LoopContexts {

  private final ContextInternal[] eventLoops;
  private final AtomicInteger next = new AtomicInteger();

  LoopContexts(Vertx vertx) {
    VertxInternal internal = (VertxInternal) vertx;
    int loops = Math.max(1, Runtime.getRuntime().availableProcessors());
    this.eventLoops = new ContextInternal[loops];
    for (int i = 0; i < loops; i++) {
      // Each new event-loop context takes the next loop of Vert.x's event-loop group.
      eventLoops[i] = internal.createEventLoopContext();
    }
  }

  /** Runs each task on the next event loop, in a context of its own. */
  Executor executor() {
    return task ->
        eventLoops[Math.floorMod(next.getAndIncrement(), eventLoops.length)]
            .duplicate()
            .runOnContext(ignored -> task.run());
  }
}
