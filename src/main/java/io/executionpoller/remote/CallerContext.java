package io.executionpoller.remote;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Hands a remote call's outcome back to the Vert.x context that subscribed to it. A call may be
 * answered elsewhere: a rate-limit wait or a retry's pause resumes on a timer's worker thread, and
 * a shared token refresh answers on the context of whoever started it. What follows may need the
 * caller's own context: a Hibernate Reactive transaction refuses to open on another, and the loop's
 * checks are meant to stay on their event loop (poll/LoopContexts).
 */
public final class CallerContext {

  private CallerContext() {}

  /**
   * {@code call}, its item or failure delivered on the subscriber's Vert.x context if it has one.
   */
  public static <T> Uni<T> answeredHere(Uni<T> call) {
    return Uni.createFrom().deferred(() -> answeredOn(Vertx.currentContext(), call));
  }

  /** {@code call}, its item or failure delivered on {@code context}; as it comes when null. */
  public static <T> Uni<T> answeredOn(Context context, Uni<T> call) {
    return context == null
        ? call
        : call.emitOn(task -> context.runOnContext(ignored -> task.run()));
  }
}
