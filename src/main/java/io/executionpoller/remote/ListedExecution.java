package io.executionpoller.remote;

import java.util.Map;

/**
 * One execution from a list answer: what a status check gives, plus what was sent to create it, so
 * a caller can recognise its own execution after an unanswered create.
 */
public record ListedExecution(
    RemoteExecution execution,
    String sqlQuery,
    Map<String, String> parameterValues,
    String timeWindowType,
    String timeWindowStart,
    String timeWindowEnd) {

  public ListedExecution {
    parameterValues = parameterValues == null ? Map.of() : Map.copyOf(parameterValues);
  }
}
