package io.executionpoller.support;

import io.executionpoller.admission.AdmissionConfig;
import java.time.Duration;

/** Admission limits for replicas that tests build themselves. */
public record TestAdmissionConfig(
    int maxRunningPerInstance, int maxRunningPerAccount, int maxAdHocPerDay)
    implements AdmissionConfig {

  /** AMC's own numbers: 10 per instance, 200 per account, 30 ad hoc creates per day. */
  public static TestAdmissionConfig amc() {
    return new TestAdmissionConfig(10, 200, 30);
  }

  @Override
  public Duration recheckInterval() {
    return Duration.ofSeconds(30);
  }

  @Override
  public Duration quotaRefusalHold() {
    return Duration.ofMinutes(10);
  }
}
