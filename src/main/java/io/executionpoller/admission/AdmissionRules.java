package io.executionpoller.admission;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * Whether one more create may go to AMC, from what was counted: a pure rule, table-tested. A held
 * execution is looked at again when room may have appeared, never sooner than the recheck interval,
 * so a full instance is not a hot loop: the next UTC midnight for the daily quota, the end of the
 * hold after a quota refusal.
 */
public final class AdmissionRules {

  private AdmissionRules() {}

  public static Optional<Hold> decide(
      Usage usage, AdmissionConfig limits, boolean adHoc, Instant now) {
    if (usage.heldUntil() != null && usage.heldUntil().isAfter(now)) {
      return Optional.of(new Hold(usage.heldReason(), usage.heldUntil()));
    }
    if (adHoc && usage.adHocCreatesToday() >= limits.maxAdHocPerDay()) {
      return Optional.of(new Hold(QueuedReason.DAILY_QUOTA, nextUtcMidnight(now)));
    }
    Instant recheck = now.plus(limits.recheckInterval());
    int instanceRoom = limits.maxRunningPerInstance() - usage.instanceAtAmc();
    if (instanceRoom <= 0 || usage.fairerWorkflowsWaiting() >= instanceRoom) {
      return Optional.of(new Hold(QueuedReason.INSTANCE_CONCURRENCY, recheck));
    }
    if (usage.accountAtAmc() >= limits.maxRunningPerAccount()) {
      return Optional.of(new Hold(QueuedReason.ACCOUNT_CONCURRENCY, recheck));
    }
    return Optional.empty();
  }

  /** The UTC day a create at {@code now} counts against. */
  public static LocalDate utcDay(Instant now) {
    return LocalDate.ofInstant(now, ZoneOffset.UTC);
  }

  static Instant nextUtcMidnight(Instant now) {
    return utcDay(now).plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
  }
}
