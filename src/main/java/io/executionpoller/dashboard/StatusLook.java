package io.executionpoller.dashboard;

import io.executionpoller.execution.ExecutionStatus;
import io.quarkus.qute.TemplateData;

/**
 * How a status is shown: {@code key} names its CSS class ({@code status-<key>}) and its icon
 * ({@code #icon-<key>}), so colour is never the only sign; the label is printed beside the icon.
 */
@TemplateData
public record StatusLook(String key, String label, String description) {

  static StatusLook of(ExecutionStatus status) {
    return switch (status) {
      case PENDING -> new StatusLook("pending", "Pending", "waiting to be submitted or to start");
      case RUNNING -> new StatusLook("running", "Running", "running in AMC");
      case SUCCESS -> new StatusLook("success", "Success", "finished successfully");
      case FAILED -> new StatusLook("failed", "Failed", "failed, rejected or could not be checked");
      case CANCELLED -> new StatusLook("cancelled", "Cancelled", "cancelled in AMC");
      case TIMEOUT -> new StatusLook("timeout", "Timeout", "ran longer than its limit");
    };
  }
}
