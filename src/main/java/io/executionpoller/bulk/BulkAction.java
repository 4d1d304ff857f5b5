package io.executionpoller.bulk;

import io.executionpoller.admin.ExecutionActions;
import io.executionpoller.api.ApiProblem;
import io.executionpoller.execution.ExecutionStateMachine;
import io.executionpoller.execution.ExecutionStatus;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * What a bulk job does to each execution: the single operator action of the same name, with its own
 * rules. {@link #actsOn} only narrows what the preview counts and the job lists; each item is still
 * decided by the single action when its turn comes.
 */
public enum BulkAction {
  /** Cancel at AMC first, then locally (POST /executions/{id}/cancel). */
  CANCEL("cancel"),
  /** Run a finished execution again (POST /executions/{id}/retry). */
  RETRY("retry"),
  /** Have an active execution checked now (POST /executions/{id}/poll). */
  CHECK_NOW("check-now");

  private final String path;

  BulkAction(String path) {
    this.path = path;
  }

  /** The action as it stands in the URL: cancel, retry or check-now. */
  public String path() {
    return path;
  }

  /** The statuses the single action accepts. */
  public Set<ExecutionStatus> actsOn() {
    return switch (this) {
      case CANCEL -> cancellable();
      case RETRY -> ExecutionActions.RETRYABLE;
      case CHECK_NOW -> ExecutionStatus.ACTIVE;
    };
  }

  private static Set<ExecutionStatus> cancellable() {
    Set<ExecutionStatus> statuses = EnumSet.noneOf(ExecutionStatus.class);
    for (ExecutionStatus status : ExecutionStatus.values()) {
      if (ExecutionStateMachine.isAllowed(status, ExecutionStatus.CANCELLED)) {
        statuses.add(status);
      }
    }
    return statuses;
  }

  /** The action named in a URL; a 404 for any other word, as for a route that does not exist. */
  public static BulkAction ofPath(String path) {
    String wanted = path == null ? "" : path.toLowerCase(Locale.ROOT);
    return Arrays.stream(values())
        .filter(action -> action.path.equals(wanted))
        .findFirst()
        .orElseThrow(
            () -> ApiProblem.notFound("no such bulk action; use cancel, retry or check-now"));
  }
}
