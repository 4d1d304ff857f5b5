package io.executionpoller.db;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * How work that runs on a blocking thread (a Quartz worker, the in-memory scheduler's worker, a
 * shutdown observer, a blocking REST method) enters the reactive entity world: Hibernate Reactive
 * needs a Vert.x context, so the work is subscribed on a duplicated context and this thread waits
 * for its outcome, as the Quarkus guide for Hibernate Reactive recommends. Never call it on an
 * event loop; reactive callers use {@code Panache.withTransaction} or {@code @WithSession} instead.
 */
public final class FromBlockingThread {

  private FromBlockingThread() {}

  /** Runs {@code work} in one transaction and returns its item; its failure is rethrown. */
  public static <T> T inTransaction(Supplier<Uni<T>> work) {
    return await(() -> Panache.withTransaction(work));
  }

  /** Runs {@code work} in a session without a transaction (reads). */
  public static <T> T inSession(Supplier<Uni<T>> work) {
    return await(() -> Panache.withSession(work));
  }

  private static <T> T await(Supplier<Uni<T>> work) {
    try {
      return VertxContextSupport.subscribeAndAwait(work);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable checked) {
      // Mutiny already wraps a checked failure in CompletionException; this only satisfies the
      // signature.
      throw new CompletionException(checked);
    }
  }
}
