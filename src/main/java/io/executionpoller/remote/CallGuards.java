package io.executionpoller.remote;

import io.smallrye.faulttolerance.api.Guard;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.util.TypeLiteral;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The two call policies SmallRye Fault Tolerance applies to AMC and Login with Amazon: a deadline
 * on every HTTP request (poller.amc.request-timeout), and the repeat of a read after a transient
 * failure (poller.amc.call-retries, exponential backoff from poller.amc.call-retry-backoff with
 * jitter). Neither keeps state from one call to the next, so one guard of each serves every
 * instance and account; what is kept per instance or per account (breakers, rate limits) is {@link
 * io.executionpoller.remote.guard.RemoteGate}'s, for the reasons ADR 0003 gives.
 *
 * <p>Both guards run the call on the caller's thread ({@code withThreadOffload(false)}): every
 * guarded call is a non-blocking {@code Uni} on the Vert.x client, and the library's default hands
 * each call to a worker thread and its answer back again, which cost more CPU than the check itself
 * (two thread hops and a context capture per request). Blocking callers (result downloads, the
 * orphan job) wait on their own worker threads, never in the guarded chain.
 */
@Singleton
class CallGuards {

  /** A repeat waits at most this many first pauses: 1, 2, 4, then 8 times the first pause. */
  private static final int LONGEST_PAUSE_IN_FIRST_PAUSES = 8;

  /**
   * The type every guarded call returns, built once: a type literal per call resolves its generic
   * type by reflection on every request of the hot path.
   */
  private static final TypeLiteral<Uni<Object>> UNI = new TypeLiteral<>() {};

  private final Duration requestTimeout;
  private final Guard deadline;
  private final Guard readRepeats;

  CallGuards(AmcConfig config) {
    this.requestTimeout = config.requestTimeout();
    this.deadline =
        Guard.create()
            .withDescription("amc-request-deadline")
            .withTimeout()
            .duration(config.requestTimeout().toMillis(), ChronoUnit.MILLIS)
            .done()
            .withThreadOffload(false)
            .build();
    this.readRepeats =
        Guard.create()
            .withDescription("amc-read-repeats")
            .withRetry()
            .with(retry -> repeats(retry, config.callRetries(), config.callRetryBackoff()))
            .done()
            .withThreadOffload(false)
            .build();
  }

  /**
   * Repeats only failures that look like a passing outage (5xx, timeout, reset, unreadable body);
   * never a 429 (its Retry-After belongs to the check's backoff), a refusal or a deferral. There is
   * no limit on the total time: the check's own deadline bounds it.
   */
  private static void repeats(Guard.Builder.RetryBuilder retry, int times, Duration firstPause) {
    long pauseMillis = firstPause.toMillis();
    retry
        .maxRetries(times)
        .maxDuration(0, ChronoUnit.MILLIS)
        .delay(pauseMillis, ChronoUnit.MILLIS)
        .jitter(pauseMillis / 2, ChronoUnit.MILLIS)
        .whenException(CallGuards::isTransient);
    if (pauseMillis > 0) {
      retry
          .withExponentialBackoff()
          .factor(2)
          .maxDelay(pauseMillis * LONGEST_PAUSE_IN_FIRST_PAUSES, ChronoUnit.MILLIS)
          .done();
    }
  }

  private static boolean isTransient(Throwable failure) {
    return failure instanceof RemoteCallException remote && remote.isTransient();
  }

  /**
   * {@code request}, failed with a {@link TimeoutException} ("no answer within ...") when no answer
   * came within the request deadline; the transport reads that as {@link
   * RemoteCallException.Kind#TIMEOUT}, and the operator sees the same text whoever timed it out.
   */
  <T> Uni<T> withinDeadline(Supplier<Uni<T>> request) {
    return guarded(deadline, request)
        .onFailure(org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException.class)
        .transform(timedOut -> new TimeoutException("no answer within " + requestTimeout));
  }

  /**
   * {@code read}, subscribed afresh after each transient failure. A read abandoned by its caller
   * (the check's deadline cancels it) makes no further attempt: the library's loop runs on after a
   * cancellation, so a pending repeat finds the flag set and ends without sending anything.
   */
  <T> Uni<T> repeatedIfTransient(Supplier<Uni<T>> read) {
    return Uni.createFrom()
        .deferred(
            () -> {
              AtomicBoolean abandoned = new AtomicBoolean();
              Supplier<Uni<T>> unlessAbandoned =
                  () ->
                      abandoned.get()
                          ? Uni.createFrom().failure(new CancellationException("read abandoned"))
                          : read.get();
              return guarded(readRepeats, unlessAbandoned)
                  .onCancellation()
                  .invoke(() -> abandoned.set(true));
            });
  }

  /** {@code call} through {@code guard}; every call's type is {@link #UNI} whatever its item. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static <T> Uni<T> guarded(Guard guard, Supplier<Uni<T>> call) {
    return (Uni<T>) guard.get((Supplier) call, (TypeLiteral) UNI);
  }
}
