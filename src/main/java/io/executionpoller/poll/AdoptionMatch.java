package io.executionpoller.poll;

import io.executionpoller.execution.TimeWindow;
import io.executionpoller.remote.CreateExecutionRequest;
import io.executionpoller.remote.ListedExecution;
import java.util.Objects;

/**
 * Whether a listed remote execution is the one an unanswered create would have made: same saved
 * workflow or same query text, same parameter values, same time window where both sides say. Pure;
 * AMC echoes what it was sent, so equality is enough.
 */
final class AdoptionMatch {

  private AdoptionMatch() {}

  static boolean matches(CreateExecutionRequest request, ListedExecution listed) {
    boolean sameSource =
        request.workflowId() != null
            ? request.workflowId().equals(listed.execution().workflowId())
            : listed.sqlQuery() != null
                && request.sqlQuery().strip().equals(listed.sqlQuery().strip());
    return sameSource
        && request.parameterValues().equals(listed.parameterValues())
        && sameWindow(request.timeWindow(), listed);
  }

  private static boolean sameWindow(TimeWindow sent, ListedExecution listed) {
    if (sent == null) {
      return true;
    }
    return agrees(sent.type(), listed.timeWindowType())
        && agrees(sent.start(), listed.timeWindowStart())
        && agrees(sent.end(), listed.timeWindowEnd());
  }

  /** Unknown on either side agrees; otherwise the first 19 characters (to the second) decide. */
  private static boolean agrees(String sent, String echoed) {
    if (sent == null || echoed == null) {
      return true;
    }
    return Objects.equals(prefix(sent), prefix(echoed));
  }

  private static String prefix(String value) {
    return value.length() > 19 ? value.substring(0, 19) : value;
  }
}
