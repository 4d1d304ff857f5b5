package io.executionpoller.simulator;

/**
 * AMC's execution quotas as the simulator enforces them once a test or benchmark asks it to: at
 * most {@code perInstance} executions PENDING or RUNNING per instance and {@code perAccount} per
 * account (advertiser), and {@code adHocPerDay} ad hoc creates per instance per UTC day. A create
 * over one of them is refused with a 429 naming the quota, and counted as a breach.
 */
public record SimulatedQuotas(int perInstance, int perAccount, int adHocPerDay) {

  /** AMC's published API quotas. */
  public static SimulatedQuotas amc() {
    return new SimulatedQuotas(10, 200, 30);
  }
}
