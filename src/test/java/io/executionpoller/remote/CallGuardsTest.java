package io.executionpoller.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.executionpoller.support.PostgresResource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.smallrye.mutiny.subscription.UniEmitter;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The library's policies as the AMC client relies on them: which failures a read repeats and how
 * often, what an unanswered request fails with, and that an abandoned read sends nothing more.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class CallGuardsTest {

  private static final Duration AWAIT = Duration.ofSeconds(30);

  @Inject CallGuards guards;
  @Inject MeterRegistry registry;

  @ConfigProperty(name = "poller.amc.call-retries")
  int callRetries;

  @ConfigProperty(name = "poller.amc.request-timeout")
  Duration requestTimeout;

  @Test
  void shouldRepeatAReadThatMeetsAServerErrorUpToTheConfiguredRepeats() {
    AtomicInteger attempts = new AtomicInteger();
    RemoteCallException serverError = status(500);

    Uni<String> read =
        guards.repeatedIfTransient(
            () -> {
              attempts.incrementAndGet();
              return Uni.createFrom().failure(serverError);
            });

    assertThatThrownBy(() -> read.await().atMost(AWAIT)).isSameAs(serverError);
    assertThat(attempts).hasValue(1 + callRetries);
  }

  @Test
  void shouldReturnTheAnswerOfARepeatThatSucceeds() {
    AtomicInteger attempts = new AtomicInteger();

    String answer =
        guards
            .repeatedIfTransient(
                () ->
                    attempts.incrementAndGet() == 1
                        ? Uni.createFrom().<String>failure(malformed())
                        : Uni.createFrom().item("answer"))
            .await()
            .atMost(AWAIT);

    assertThat(answer).isEqualTo("answer");
    assertThat(attempts).hasValue(2);
  }

  @Test
  void shouldNotRepeatAThrottledOrRefusedReadOrADeferral() {
    for (RuntimeException failure :
        new RuntimeException[] {
          status(429), status(404), new CallDeferred(CallDeferred.Reason.BREAKER_OPEN, null, "open")
        }) {
      AtomicInteger attempts = new AtomicInteger();

      Uni<String> read =
          guards.repeatedIfTransient(
              () -> {
                attempts.incrementAndGet();
                return Uni.createFrom().failure(failure);
              });

      assertThatThrownBy(() -> read.await().atMost(AWAIT)).isSameAs(failure);
      assertThat(attempts).as(failure.getMessage()).hasValue(1);
    }
  }

  @Test
  void shouldFailAnUnansweredRequestWithTheNoAnswerTimeout() {
    Uni<String> unanswered = guards.withinDeadline(() -> Uni.createFrom().nothing());

    // Mutiny's await wraps a checked exception in a CompletionException.
    Throwable failure = catchThrowable(() -> unanswered.await().atMost(AWAIT));
    assertThat(failure).hasCauseInstanceOf(TimeoutException.class);
    assertThat(failure.getCause()).hasMessage("no answer within " + requestTimeout);
    assertThat(RemoteFailures.transport("get execution", new TimeoutException()).kind())
        .isEqualTo(RemoteCallException.Kind.TIMEOUT);
  }

  @Test
  void shouldSendNothingMoreOnceTheReadWasAbandoned() {
    AtomicInteger attempts = new AtomicInteger();
    AtomicReference<UniEmitter<? super String>> inFlight = new AtomicReference<>();
    double endedBefore = notRetryable();

    Cancellable subscription =
        guards
            .repeatedIfTransient(
                () -> {
                  attempts.incrementAndGet();
                  return Uni.createFrom().<String>emitter(inFlight::set);
                })
            .subscribe()
            .with(item -> {}, failure -> {});
    Awaitility.await().atMost(AWAIT).until(() -> inFlight.get() != null);
    subscription.cancel();
    // The first attempt fails transiently after its caller gave up: the library's loop schedules
    // a repeat, which must end without calling the read again.
    inFlight.get().fail(status(503));

    Awaitility.await().atMost(AWAIT).until(() -> notRetryable() > endedBefore);
    assertThat(attempts).hasValue(1);
  }

  /** The library's count of repeat loops that ended on a failure not worth repeating. */
  private double notRetryable() {
    Counter counter =
        registry
            .find("ft.retry.calls.total")
            .tag("method", "amc-read-repeats")
            .tag("retried", "true")
            .tag("retry_result", "exceptionNotRetryable")
            .counter();
    return counter == null ? 0 : counter.count();
  }

  private static RemoteCallException status(int status) {
    return new RemoteCallException(
        "get execution", RemoteCallException.Kind.HTTP_STATUS, status, "", null, null);
  }

  private static RemoteCallException malformed() {
    return RemoteCallException.of(
        "get execution", RemoteCallException.Kind.MALFORMED_RESPONSE, "truncated", null);
  }
}
