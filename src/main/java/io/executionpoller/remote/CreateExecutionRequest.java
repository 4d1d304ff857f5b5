package io.executionpoller.remote;

import io.executionpoller.execution.TimeWindow;
import java.util.Map;

/** Body of an AMC create-execution call: a saved workflow id or an ad hoc SQL query. */
public record CreateExecutionRequest(
    String workflowId,
    String sqlQuery,
    TimeWindow timeWindow,
    Map<String, String> parameterValues) {

  public CreateExecutionRequest {
    if ((workflowId == null) == (sqlQuery == null)) {
      throw new IllegalArgumentException("exactly one of workflowId and sqlQuery is required");
    }
    parameterValues = parameterValues == null ? Map.of() : Map.copyOf(parameterValues);
  }
}
