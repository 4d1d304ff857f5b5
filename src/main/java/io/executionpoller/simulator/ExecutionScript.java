package io.executionpoller.simulator;

import java.time.Duration;

/**
 * How one simulated execution behaves: time held PENDING (queueing for a slot comes on top), time
 * RUNNING, time PUBLISHING, then its final status (any string: unknown ones test the daemon) with
 * an optional statusReason and a number of result rows.
 */
public record ExecutionScript(
    Duration pendingFor,
    Duration runningFor,
    Duration publishingFor,
    String finalStatus,
    String statusReason,
    int resultRows) {

  public ExecutionScript {
    pendingFor = pendingFor == null ? Duration.ZERO : pendingFor;
    runningFor = runningFor == null ? Duration.ZERO : runningFor;
    publishingFor = publishingFor == null ? Duration.ZERO : publishingFor;
    finalStatus = finalStatus == null ? "SUCCEEDED" : finalStatus;
  }

  public static ExecutionScript succeeds(Duration pending, Duration running, int rows) {
    return new ExecutionScript(pending, running, Duration.ZERO, "SUCCEEDED", null, rows);
  }

  public static ExecutionScript ends(
      Duration pending, Duration running, String status, String reason) {
    return new ExecutionScript(pending, running, Duration.ZERO, status, reason, 0);
  }
}
