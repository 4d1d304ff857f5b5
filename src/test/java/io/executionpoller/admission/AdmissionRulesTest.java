package io.executionpoller.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.executionpoller.support.TestAdmissionConfig;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AdmissionRulesTest {

  private static final Instant NOW = Instant.parse("2026-03-10T23:50:00Z");
  private static final Instant RECHECK = NOW.plusSeconds(30);
  private static final Instant MIDNIGHT = Instant.parse("2026-03-11T00:00:00Z");
  private static final TestAdmissionConfig LIMITS = TestAdmissionConfig.amc();

  static Stream<Arguments> cases() {
    return Stream.of(
        // instance, account, ad hoc today, fairer waiting, held until, ad hoc -> hold
        Arguments.of(0, 0, 0, 0, null, false, null, null),
        Arguments.of(9, 9, 0, 0, null, false, null, null),
        Arguments.of(10, 10, 0, 0, null, false, QueuedReason.INSTANCE_CONCURRENCY, RECHECK),
        Arguments.of(12, 12, 0, 0, null, false, QueuedReason.INSTANCE_CONCURRENCY, RECHECK),
        Arguments.of(9, 199, 0, 0, null, false, null, null),
        Arguments.of(9, 200, 0, 0, null, false, QueuedReason.ACCOUNT_CONCURRENCY, RECHECK),
        Arguments.of(0, 0, 29, 0, null, true, null, null),
        Arguments.of(0, 0, 30, 0, null, true, QueuedReason.DAILY_QUOTA, MIDNIGHT),
        Arguments.of(0, 0, 30, 0, null, false, null, null),
        Arguments.of(10, 0, 30, 0, null, true, QueuedReason.DAILY_QUOTA, MIDNIGHT),
        // one slot left, one workflow with fewer runs waits for it: it goes there
        Arguments.of(9, 9, 0, 1, null, false, QueuedReason.INSTANCE_CONCURRENCY, RECHECK),
        // two slots left, one fairer workflow waiting: room for both
        Arguments.of(8, 8, 0, 1, null, false, null, null),
        Arguments.of(
            0,
            0,
            0,
            0,
            NOW.plusSeconds(600),
            false,
            QueuedReason.INSTANCE_CONCURRENCY,
            NOW.plusSeconds(600)),
        Arguments.of(0, 0, 0, 0, NOW, false, null, null));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void shouldHoldBackExactlyWhenAQuotaIsReached(
      int instance,
      int account,
      int adHocToday,
      int fairer,
      Instant heldUntil,
      boolean adHoc,
      QueuedReason reason,
      Instant recheckAt) {
    Usage usage =
        new Usage(
            instance,
            account,
            adHocToday,
            fairer,
            heldUntil,
            heldUntil == null ? null : QueuedReason.INSTANCE_CONCURRENCY);

    Optional<Hold> hold = AdmissionRules.decide(usage, LIMITS, adHoc, NOW);

    assertThat(hold)
        .isEqualTo(reason == null ? Optional.empty() : Optional.of(new Hold(reason, recheckAt)));
  }
}
