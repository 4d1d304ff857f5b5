package io.executionpoller.simulator;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the simulated AMC counts against its quotas: the account of each instance (as its creates
 * named it) and the ad hoc creates per instance per UTC day; the executions themselves count the
 * running ones. Used under the lock of {@link RemoteExecutions}.
 */
final class QuotaLedger {

  private final Map<String, String> accountOfInstance = new HashMap<>();
  private final Map<String, Map<LocalDate, Integer>> adHocCreates = new HashMap<>();
  private SimulatedQuotas quotas;
  private int breaches;

  void enforce(SimulatedQuotas quotas) {
    this.quotas = quotas;
  }

  void remember(String instanceId, String accountId) {
    if (accountId != null) {
      accountOfInstance.put(instanceId, accountId);
    }
  }

  boolean sameAccount(String instanceId, String accountId) {
    return accountId != null && accountId.equals(accountOfInstance.get(instanceId));
  }

  /**
   * The refusal text when one more create would go over a quota (counted as a breach), else empty;
   * {@code instanceActive} and {@code accountActive} are what runs now.
   */
  Optional<String> refusal(
      String instanceId, boolean adHoc, int instanceActive, int accountActive, Instant now) {
    if (quotas == null) {
      return Optional.empty();
    }
    Optional<String> over = Optional.empty();
    if (adHoc && adHocToday(instanceId, now) >= quotas.adHocPerDay()) {
      over =
          Optional.of(
              "Quota exceeded: ad hoc executions may be run up to "
                  + quotas.adHocPerDay()
                  + " times per day, per AMC instance");
    } else if (instanceActive >= quotas.perInstance()) {
      over =
          Optional.of(
              "Quota exceeded: at most "
                  + quotas.perInstance()
                  + " concurrent executions per instance");
    } else if (accountActive >= quotas.perAccount()) {
      over =
          Optional.of(
              "Quota exceeded: at most "
                  + quotas.perAccount()
                  + " concurrent executions per account");
    }
    if (over.isPresent()) {
      breaches++;
    }
    return over;
  }

  void created(String instanceId, boolean adHoc, Instant now) {
    if (adHoc) {
      adHocCreates
          .computeIfAbsent(instanceId, id -> new HashMap<>())
          .merge(day(now), 1, Integer::sum);
    }
  }

  int breaches() {
    return breaches;
  }

  void clear() {
    accountOfInstance.clear();
    adHocCreates.clear();
    quotas = null;
    breaches = 0;
  }

  private int adHocToday(String instanceId, Instant now) {
    return adHocCreates.getOrDefault(instanceId, Map.of()).getOrDefault(day(now), 0);
  }

  private static LocalDate day(Instant now) {
    return LocalDate.ofInstant(now, ZoneOffset.UTC);
  }
}
