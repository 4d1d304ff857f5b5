package io.executionpoller.remote;

import java.util.List;

/** One page of a list answer; {@code nextToken} is null on the last page. */
public record ExecutionPage(List<ListedExecution> executions, String nextToken) {

  public ExecutionPage {
    executions = List.copyOf(executions);
  }
}
