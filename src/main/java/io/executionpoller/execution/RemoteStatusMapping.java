package io.executionpoller.execution;

import java.util.Locale;
import java.util.Optional;

/**
 * Maps an AMC workflow-execution status to a local status. AMC documents five values; PUBLISHING
 * and REJECTED are seen from real deployments. Anything else is unknown and maps to nothing, so it
 * is recorded but never applied.
 */
public final class RemoteStatusMapping {

  private RemoteStatusMapping() {}

  public static Optional<ExecutionStatus> toLocal(String remoteStatus) {
    if (remoteStatus == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(
        switch (remoteStatus.trim().toUpperCase(Locale.ROOT)) {
          case "PENDING" -> ExecutionStatus.PENDING;
          case "RUNNING", "PUBLISHING" -> ExecutionStatus.RUNNING;
          case "SUCCEEDED" -> ExecutionStatus.SUCCESS;
          case "FAILED", "REJECTED" -> ExecutionStatus.FAILED;
          case "CANCELLED" -> ExecutionStatus.CANCELLED;
          default -> null;
        });
  }
}
