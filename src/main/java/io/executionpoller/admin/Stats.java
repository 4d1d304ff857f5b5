package io.executionpoller.admin;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * GET /stats: executions registered in the window. Durations are seconds from start to completion
 * of executions that have both; the success rate is SUCCESS over all finished executions (null when
 * none finished).
 */
public record Stats(
    String window,
    Instant since,
    Instant until,
    long executions,
    Map<String, Long> byStatus,
    Double successRate,
    Map<String, Long> errorTypes,
    ResultSizes results,
    List<WorkflowStats> workflows) {

  /** Stored results: how many, their rows and bytes, and the median and p95 size. */
  public record ResultSizes(
      long stored, long rows, long bytes, Double p50Bytes, Double p95Bytes, Long maxBytes) {}

  /** One workflow's executions in the window. */
  public record WorkflowStats(
      String workflowId,
      String name,
      long executions,
      long succeeded,
      long failed,
      Double successRate,
      Double p50DurationSeconds,
      Double p95DurationSeconds) {}
}
