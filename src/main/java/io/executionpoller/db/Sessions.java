package io.executionpoller.db;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import java.util.function.Function;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * How reactive code of the entity world opens its unit of work (ADR 0005): a read in a session, a
 * write in a transaction, each handed the Hibernate Reactive session for its entity and native
 * queries. An open session or transaction of the caller is joined, as Panache does. Blocking
 * threads use {@link FromBlockingThread} instead.
 */
public final class Sessions {

  private Sessions() {}

  /** Runs {@code work} in a session without a transaction. */
  public static <T> Uni<T> read(Function<Mutiny.Session, Uni<T>> work) {
    return Panache.withSession(() -> Panache.getSession().chain(work::apply));
  }

  /** Runs {@code work} in one transaction. */
  public static <T> Uni<T> write(Function<Mutiny.Session, Uni<T>> work) {
    return Panache.withTransaction(() -> Panache.getSession().chain(work::apply));
  }
}
