package io.executionpoller.remote.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.executionpoller.remote.guard.CircuitBreaker.Permit;
import io.executionpoller.remote.guard.CircuitBreaker.Permit.Kind;
import io.executionpoller.remote.guard.CircuitBreaker.Settings;
import io.executionpoller.remote.guard.CircuitBreaker.Snapshot;
import io.executionpoller.remote.guard.CircuitBreaker.State;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class CircuitBreakerTest {

  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

  private static Settings settings(int threshold) {
    return new Settings(
        threshold, Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofSeconds(60));
  }

  /**
   * Plays a script against a breaker. Steps:
   *
   * <ul>
   *   <li>{@code F} / {@code S}: acquire a permit and, unless denied, report a failure / success;
   *   <li>{@code ?}: acquire a permit and hold it without reporting;
   *   <li>{@code f} / {@code s}: report a failure / success for the most recently held permit;
   *   <li>{@code s0}: report a success for the oldest held permit;
   *   <li>{@code +N}: move the clock on N seconds.
   * </ul>
   *
   * Each step yields the permit kind it was given ({@code A}, {@code P}, {@code D}) or {@code -}.
   */
  private static final class Script {
    private final CircuitBreaker breaker;
    private final Deque<Permit> held = new ArrayDeque<>();
    private Instant now = T0;

    Script(CircuitBreaker breaker) {
      this.breaker = breaker;
    }

    String step(String step) {
      switch (step) {
        case "F":
        case "S":
          Permit permit = breaker.tryAcquire(now);
          if (permit.kind() != Kind.DENIED) {
            if (step.equals("F")) {
              breaker.onFailure(now, permit);
            } else {
              breaker.onSuccess(now, permit);
            }
          }
          return letter(permit);
        case "?":
          Permit kept = breaker.tryAcquire(now);
          held.push(kept);
          return letter(kept);
        case "f":
          breaker.onFailure(now, held.pop());
          return "-";
        case "s":
          breaker.onSuccess(now, held.pop());
          return "-";
        case "s0":
          breaker.onSuccess(now, held.removeLast());
          return "-";
        default:
          if (!step.startsWith("+")) {
            throw new IllegalArgumentException("unknown step " + step);
          }
          now = now.plusSeconds(Long.parseLong(step.substring(1)));
          return "-";
      }
    }

    private static String letter(Permit permit) {
      return permit.kind().name().substring(0, 1);
    }
  }

  /** CLOSED, abbreviated in the scripts to keep the other states readable. */
  private static final String C = "C";

  @ParameterizedTest(name = "threshold {0}: {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          # threshold | steps                     | permit per step     | state after each step                                      | failures | opened
          3 | F,F,F                               | A,A,A               | C,C,OPEN                                                   | 3 | 1
          3 | F,F,S,F,F,F                         | A,A,A,A,A,A         | C,C,C,C,C,OPEN                                             | 3 | 1
          3 | F,F,S,F,F,S,F,F,S                   | A,A,A,A,A,A,A,A,A   | C,C,C,C,C,C,C,C,C                                          | 0 | 0
          3 | F,F,F,F,S                           | A,A,A,D,D           | C,C,OPEN,OPEN,OPEN                                         | 3 | 1
          1 | F                                   | A                   | OPEN                                                       | 1 | 1
          1 | S,S,F                               | A,A,A               | C,C,OPEN                                                   | 1 | 1
          3 | F,F,F,+29,F,+1,S                    | A,A,A,-,D,-,P       | C,C,OPEN,OPEN,OPEN,HALF_OPEN,C                             | 0 | 1
          3 | F,F,F,+30,F,+59,S,+1,S              | A,A,A,-,P,-,D,-,P   | C,C,OPEN,HALF_OPEN,OPEN,OPEN,OPEN,HALF_OPEN,C              | 0 | 2
          2 | F,F,+30,S,F,F                       | A,A,-,P,A,A         | C,OPEN,HALF_OPEN,C,C,OPEN                                  | 2 | 2
          2 | F,F,+30,S,F,S,F                     | A,A,-,P,A,A,A       | C,OPEN,HALF_OPEN,C,C,C,C                                   | 1 | 1
          1 | F,+30,?,S,S,+59,F                   | A,-,P,D,D,-,D       | OPEN,HALF_OPEN,HALF_OPEN,HALF_OPEN,HALF_OPEN,HALF_OPEN,HALF_OPEN | 1 | 1
          1 | F,+30,?,s                           | A,-,P,-             | OPEN,HALF_OPEN,HALF_OPEN,C                                 | 0 | 1
          1 | F,+30,?,f                           | A,-,P,-             | OPEN,HALF_OPEN,HALF_OPEN,OPEN                              | 2 | 2
          1 | F,+30,?,+60,S                       | A,-,P,-,P           | OPEN,HALF_OPEN,HALF_OPEN,HALF_OPEN,C                       | 0 | 1
          1 | F,+30,?,+60,?,f                     | A,-,P,-,P,-         | OPEN,HALF_OPEN,HALF_OPEN,HALF_OPEN,HALF_OPEN,OPEN          | 2 | 2
          1 | F,+30,?,+60,?,f,+60,s,S             | A,-,P,-,P,-,-,-,P   | OPEN,HALF_OPEN,HALF_OPEN,HALF_OPEN,HALF_OPEN,OPEN,HALF_OPEN,HALF_OPEN,C | 0 | 2
          2 | ?,?,F,F,+10,f,f,+20,S                | A,A,A,A,-,-,-,-,P   | C,C,C,OPEN,OPEN,OPEN,OPEN,HALF_OPEN,C                      | 0 | 1
          2 | ?,+1,F,F,+30,S,f,F                   | A,-,A,A,-,P,-,A     | C,C,C,OPEN,HALF_OPEN,C,C,C                                 | 1 | 1
          2 | ?,+1,F,F,+30,?,s,f                   | A,-,A,A,-,P,-,-     | C,C,C,OPEN,HALF_OPEN,HALF_OPEN,C,C                         | 0 | 1
          2 | ?,+1,F,F,+30,?,s0,+1,S              | A,-,A,A,-,P,-,-,D   | C,C,C,OPEN,HALF_OPEN,HALF_OPEN,HALF_OPEN,HALF_OPEN,HALF_OPEN | 2 | 1
          2 | ?,+1,F,F,+30,?,f,s                   | A,-,A,A,-,P,-,-     | C,C,C,OPEN,HALF_OPEN,HALF_OPEN,OPEN,OPEN                   | 3 | 2
          """)
  void shouldGrantPermitsAndChangeStateAsScripted(
      int threshold,
      String steps,
      String permits,
      String states,
      int failuresAtEnd,
      long timesOpenedAtEnd) {
    Script script = new Script(new CircuitBreaker(settings(threshold)));
    String[] stepList = steps.split(",");
    String[] expectedPermits = permits.split(",");
    String[] expectedStates = states.split(",");
    assertThat(expectedPermits).hasSameSizeAs(stepList);
    assertThat(expectedStates).hasSameSizeAs(stepList);

    List<String> actualPermits = new ArrayList<>();
    List<String> actualStates = new ArrayList<>();
    for (String step : stepList) {
      actualPermits.add(script.step(step));
      State state = script.breaker.snapshot(script.now).state();
      actualStates.add(state == State.CLOSED ? C : state.name());
    }

    assertThat(actualPermits).as("permits").containsExactly(expectedPermits);
    assertThat(actualStates).as("states").containsExactly(expectedStates);
    Snapshot end = script.breaker.snapshot(script.now);
    assertThat(end.consecutiveFailures()).as("consecutive failures").isEqualTo(failuresAtEnd);
    assertThat(end.timesOpened()).as("times opened").isEqualTo(timesOpenedAtEnd);
  }

  @Test
  void shouldDenyUntilOpenUntilThenProbeThenClose() {
    CircuitBreaker breaker = new CircuitBreaker(settings(2));
    fail(breaker, T0);
    fail(breaker, T0.plusSeconds(1));
    Instant openUntil = T0.plusSeconds(31);

    assertThat(breaker.snapshot(T0.plusSeconds(1)))
        .isEqualTo(new Snapshot(State.OPEN, 2, openUntil, 1));
    for (Instant at : List.of(T0.plusSeconds(1), T0.plusSeconds(20), openUntil.minusNanos(1))) {
      assertThat(breaker.tryAcquire(at)).isEqualTo(new Permit(Kind.DENIED, openUntil));
    }

    Permit probe = breaker.tryAcquire(openUntil);
    assertThat(probe).isEqualTo(new Permit(Kind.PROBE, openUntil));
    assertThat(breaker.snapshot(openUntil).state()).isEqualTo(State.HALF_OPEN);

    breaker.onSuccess(openUntil.plusSeconds(2), probe);
    assertThat(breaker.snapshot(openUntil.plusSeconds(2)))
        .isEqualTo(new Snapshot(State.CLOSED, 0, null, 1));
    assertThat(breaker.tryAcquire(openUntil.plusSeconds(2)).kind()).isEqualTo(Kind.ALLOWED);
  }

  /** Each failed probe doubles how long the breaker stays open, up to maxOpenFor. */
  @ParameterizedTest(name = "openFor {0}s maxOpenFor {1}s: {2}")
  @CsvSource({
    "30, 300, '30,60,120,240,300,300,300'",
    "10, 35, '10,20,35,35'",
    "60, 60, '60,60,60'",
    "1, 86400, '1,2,4,8,16,32,64,128,256,512,1024,2048,4096,8192,16384,32768,65536,86400'",
  })
  void shouldDoubleTheOpenTimeOnEachFailedProbeUpToTheCap(
      long openFor, long maxOpenFor, String expected) {
    CircuitBreaker breaker =
        new CircuitBreaker(
            new Settings(
                1,
                Duration.ofSeconds(openFor),
                Duration.ofSeconds(maxOpenFor),
                Duration.ofSeconds(60)));
    Instant now = T0;
    fail(breaker, now);
    List<Long> openTimes = new ArrayList<>();
    openTimes.add(Duration.between(now, breaker.snapshot(now).openUntil()).toSeconds());
    long[] wanted = Arrays.stream(expected.split(",")).mapToLong(Long::parseLong).toArray();

    for (int reopen = 1; reopen < wanted.length; reopen++) {
      now = breaker.snapshot(now).openUntil();
      Permit probe = breaker.tryAcquire(now);
      assertThat(probe.kind()).isEqualTo(Kind.PROBE);
      now = now.plusSeconds(1);
      breaker.onFailure(now, probe);
      openTimes.add(Duration.between(now, breaker.snapshot(now).openUntil()).toSeconds());
    }

    assertThat(openTimes).containsExactly(Arrays.stream(wanted).boxed().toArray(Long[]::new));
    assertThat(breaker.snapshot(now).timesOpened()).isEqualTo(wanted.length);
  }

  @Test
  void shouldResetTheDoublingAfterASuccessfulProbe() {
    CircuitBreaker breaker = new CircuitBreaker(settings(1));
    Instant now = T0;
    fail(breaker, now);
    for (int i = 0; i < 3; i++) {
      now = breaker.snapshot(now).openUntil();
      breaker.onFailure(now, breaker.tryAcquire(now));
    }
    assertThat(Duration.between(now, breaker.snapshot(now).openUntil()))
        .isEqualTo(Duration.ofSeconds(240));

    now = breaker.snapshot(now).openUntil();
    breaker.onSuccess(now, breaker.tryAcquire(now));
    fail(breaker, now);

    assertThat(breaker.snapshot(now))
        .isEqualTo(new Snapshot(State.OPEN, 1, now.plusSeconds(30), 5));
  }

  @Test
  void shouldAllowOnlyOneProbeAtATimeAndSendDeniedCallersBackAtTheProbeTimeout() {
    CircuitBreaker breaker = new CircuitBreaker(settings(1));
    fail(breaker, T0);
    Instant halfOpen = T0.plusSeconds(30);

    Permit probe = breaker.tryAcquire(halfOpen);
    assertThat(probe.kind()).isEqualTo(Kind.PROBE);
    for (long s = 0; s < 60; s += 7) {
      assertThat(breaker.tryAcquire(halfOpen.plusSeconds(s)))
          .isEqualTo(new Permit(Kind.DENIED, halfOpen.plusSeconds(60)));
    }
    assertThat(breaker.tryAcquire(halfOpen.plusSeconds(60).minusNanos(1)).kind())
        .isEqualTo(Kind.DENIED);
  }

  @Test
  void shouldReplaceAStaleProbeAfterTheProbeTimeout() {
    CircuitBreaker breaker = new CircuitBreaker(settings(1));
    fail(breaker, T0);
    Instant halfOpen = T0.plusSeconds(30);
    Permit lost = breaker.tryAcquire(halfOpen);

    Permit replacement = breaker.tryAcquire(halfOpen.plusSeconds(60));
    assertThat(replacement).isEqualTo(new Permit(Kind.PROBE, halfOpen.plusSeconds(60)));
    // The replacement now holds the slot for its own timeout.
    assertThat(breaker.tryAcquire(halfOpen.plusSeconds(61)))
        .isEqualTo(new Permit(Kind.DENIED, halfOpen.plusSeconds(120)));

    breaker.onFailure(halfOpen.plusSeconds(65), replacement);
    Instant reopenedUntil = halfOpen.plusSeconds(65 + 60);
    assertThat(breaker.snapshot(halfOpen.plusSeconds(65)).openUntil()).isEqualTo(reopenedUntil);
    // The lost probe turning up late, from before the reopening, changes nothing.
    breaker.onFailure(halfOpen.plusSeconds(70), lost);
    breaker.onSuccess(halfOpen.plusSeconds(70), lost);
    assertThat(breaker.snapshot(halfOpen.plusSeconds(70)))
        .isEqualTo(new Snapshot(State.OPEN, 2, reopenedUntil, 2));
  }

  @Test
  void shouldNotExtendTheOpeningForFailuresFromBeforeIt() {
    CircuitBreaker breaker = new CircuitBreaker(settings(3));
    List<Permit> inFlight = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      inFlight.add(breaker.tryAcquire(T0));
    }
    Instant opening = T0.plusSeconds(5);
    for (int i = 0; i < 3; i++) {
      breaker.onFailure(opening, inFlight.get(i));
    }
    Snapshot opened = breaker.snapshot(opening);
    assertThat(opened).isEqualTo(new Snapshot(State.OPEN, 3, opening.plusSeconds(30), 1));

    for (int i = 3; i < 10; i++) {
      breaker.onFailure(opening.plusSeconds(i), inFlight.get(i));
    }

    assertThat(breaker.snapshot(opening.plusSeconds(10))).isEqualTo(opened);
    assertThat(breaker.tryAcquire(opening.plusSeconds(30)).kind()).isEqualTo(Kind.PROBE);
  }

  @Test
  void shouldNotCountDeniedPermitsAsOutcomes() {
    CircuitBreaker breaker = new CircuitBreaker(settings(1));
    fail(breaker, T0);
    Permit denied = breaker.tryAcquire(T0.plusSeconds(1));
    assertThat(denied.kind()).isEqualTo(Kind.DENIED);

    breaker.onSuccess(T0.plusSeconds(2), denied);
    breaker.onFailure(T0.plusSeconds(2), denied);

    assertThat(breaker.snapshot(T0.plusSeconds(2)))
        .isEqualTo(new Snapshot(State.OPEN, 1, T0.plusSeconds(30), 1));
  }

  @Test
  void shouldReadASnapshotWithoutChangingAnything() {
    CircuitBreaker breaker = new CircuitBreaker(settings(1));
    assertThat(breaker.snapshot(T0)).isEqualTo(new Snapshot(State.CLOSED, 0, null, 0));
    fail(breaker, T0);

    // Past openUntil the breaker reports half-open, but only tryAcquire hands out the probe.
    assertThat(breaker.snapshot(T0.plusSeconds(31)).state()).isEqualTo(State.HALF_OPEN);
    assertThat(breaker.snapshot(T0.plusSeconds(1)).state()).isEqualTo(State.OPEN);
    assertThat(breaker.tryAcquire(T0.plusSeconds(31)).kind()).isEqualTo(Kind.PROBE);
  }

  @Test
  void shouldGiveConcurrentCallersExactlyOneProbe() throws Exception {
    CircuitBreaker breaker = new CircuitBreaker(settings(1));
    fail(breaker, T0);
    Instant halfOpen = T0.plusSeconds(30);
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<List<Permit>>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  List<Permit> permits = new ArrayList<>();
                  for (int i = 0; i < 500; i++) {
                    permits.add(breaker.tryAcquire(halfOpen));
                  }
                  return permits;
                }));
      }
      start.countDown();
      List<Permit> all = new ArrayList<>();
      for (Future<List<Permit>> future : futures) {
        all.addAll(future.get(60, TimeUnit.SECONDS));
      }

      assertThat(all).hasSize(threads * 500);
      assertThat(all).filteredOn(p -> p.kind() == Kind.PROBE).hasSize(1);
      assertThat(all)
          .filteredOn(p -> p.kind() == Kind.DENIED)
          .hasSize(threads * 500 - 1)
          .allSatisfy(p -> assertThat(p.retryAt()).isEqualTo(halfOpen.plusSeconds(60)));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void shouldDefaultToTenFailuresThirtySecondsOpenAFiveMinuteCapAndASixtySecondProbeTimeout() {
    assertThat(Settings.defaults())
        .isEqualTo(
            new Settings(
                10, Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofSeconds(60)));
  }

  static Stream<Arguments> invalidSettings() {
    Duration s30 = Duration.ofSeconds(30);
    Duration m5 = Duration.ofMinutes(5);
    Duration s60 = Duration.ofSeconds(60);
    return Stream.of(
        Arguments.of("zero threshold", 0, s30, m5, s60),
        Arguments.of("negative threshold", -1, s30, m5, s60),
        Arguments.of("zero openFor", 10, Duration.ZERO, m5, s60),
        Arguments.of("negative openFor", 10, s30.negated(), m5, s60),
        Arguments.of("maxOpenFor below openFor", 10, s30, Duration.ofSeconds(29), s60),
        Arguments.of("zero probeTimeout", 10, s30, m5, Duration.ZERO),
        Arguments.of("negative probeTimeout", 10, s30, m5, s60.negated()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidSettings")
  void shouldRejectBadSettingValues(
      String description,
      int threshold,
      Duration openFor,
      Duration maxOpenFor,
      Duration probeTimeout) {
    assertThatThrownBy(() -> new Settings(threshold, openFor, maxOpenFor, probeTimeout))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldRejectNulls() {
    Duration s = Duration.ofSeconds(1);
    assertThatThrownBy(() -> new Settings(1, null, s, s)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new CircuitBreaker(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new Permit(null, T0)).isInstanceOf(NullPointerException.class);
    CircuitBreaker breaker = new CircuitBreaker(Settings.defaults());
    assertThatThrownBy(() -> breaker.tryAcquire(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> breaker.onFailure(T0, null)).isInstanceOf(NullPointerException.class);
  }

  private static void fail(CircuitBreaker breaker, Instant now) {
    Permit permit = breaker.tryAcquire(now);
    assertThat(permit.kind()).isNotEqualTo(Kind.DENIED);
    breaker.onFailure(now, permit);
  }

  @Test
  void shouldLetTheNextProbeGoAtOnceWhenAProbeIsHandedBackUnsent() {
    CircuitBreaker breaker = new CircuitBreaker(settings(1));
    fail(breaker, T0);
    Instant halfOpen = T0.plusSeconds(31);
    Permit probe = breaker.tryAcquire(halfOpen);
    assertThat(probe.kind()).isEqualTo(Kind.PROBE);
    assertThat(breaker.tryAcquire(halfOpen).kind()).isEqualTo(Kind.DENIED);

    breaker.release(probe);

    assertThat(breaker.tryAcquire(halfOpen.plusMillis(1)).kind()).isEqualTo(Kind.PROBE);
  }

  @Test
  void shouldIgnoreAHandedBackPermitThatIsNotTheOutstandingProbe() {
    CircuitBreaker breaker = new CircuitBreaker(settings(1));
    Permit allowed = breaker.tryAcquire(T0);
    fail(breaker, T0);
    Instant halfOpen = T0.plusSeconds(31);
    Permit probe = breaker.tryAcquire(halfOpen);

    breaker.release(allowed);

    assertThat(probe.kind()).isEqualTo(Kind.PROBE);
    assertThat(breaker.tryAcquire(halfOpen).kind()).isEqualTo(Kind.DENIED);
  }
}
