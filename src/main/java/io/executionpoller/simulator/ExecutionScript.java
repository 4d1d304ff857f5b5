package io.executionpoller.simulator;

import java.time.Duration;
import java.util.List;

/**
 * How one simulated execution behaves: time held PENDING (queueing for a slot comes on top), time
 * RUNNING, time PUBLISHING, then its final status (any string: unknown ones test the daemon) with
 * an optional statusReason and a number of result rows. A statusReason may name the execution and
 * its workflow as {@code {executionId}} and {@code {workflowId}}; the status view fills them in.
 * Once SUCCEEDED it reports {@code outputChannels} (none unless scripted, see {@link
 * #withOutputChannels}).
 */
public record ExecutionScript(
    Duration pendingFor,
    Duration runningFor,
    Duration publishingFor,
    String finalStatus,
    String statusReason,
    int resultRows,
    List<ChannelScript> outputChannels) {

  /** A query AMC cannot compile: fails soon after it starts. */
  public static final String QUERY_ERROR =
      "SQL compilation error: line 3:14 mismatched input 'FORM' expecting {<EOF>, ';'}";

  /** AMC's privacy rejection of too many runs over overlapping inputs (EXEC). */
  public static final String OVERLAP_REJECTION =
      "Execution \"{executionId}\" of workflow \"{workflowId}\" could not be run because too many"
          + " workflows have already been run against the same input data sources in the same or"
          + " overlapping time windows.";

  /** The run outlived workflowExecutionTimeoutSeconds (21600 unless the client set it). */
  public static final String TIME_LIMIT =
      "Execution time limit exceeded: workflowExecutionTimeoutSeconds=21600";

  /** A failure on AMC's side; the same query may well succeed when resubmitted. */
  public static final String INTERNAL_ERROR =
      "Internal error: the query engine failed unexpectedly";

  /** The advertiser lacks a dataset the query reads; resubmitting cannot help. */
  public static final String PERMISSION_DENIED =
      "Access denied: the advertiser does not have access to dataset sponsored_ads_traffic";

  public ExecutionScript {
    pendingFor = pendingFor == null ? Duration.ZERO : pendingFor;
    runningFor = runningFor == null ? Duration.ZERO : runningFor;
    publishingFor = publishingFor == null ? Duration.ZERO : publishingFor;
    finalStatus = finalStatus == null ? "SUCCEEDED" : finalStatus;
    outputChannels = outputChannels == null ? List.of() : List.copyOf(outputChannels);
  }

  /** A script without output channels. */
  public ExecutionScript(
      Duration pendingFor,
      Duration runningFor,
      Duration publishingFor,
      String finalStatus,
      String statusReason,
      int resultRows) {
    this(pendingFor, runningFor, publishingFor, finalStatus, statusReason, resultRows, List.of());
  }

  /** The same behaviour, reporting these output channels once SUCCEEDED. */
  public ExecutionScript withOutputChannels(ChannelScript... channels) {
    return new ExecutionScript(
        pendingFor,
        runningFor,
        publishingFor,
        finalStatus,
        statusReason,
        resultRows,
        List.of(channels));
  }

  public static ExecutionScript succeeds(Duration pending, Duration running, int rows) {
    return new ExecutionScript(pending, running, Duration.ZERO, "SUCCEEDED", null, rows);
  }

  public static ExecutionScript ends(
      Duration pending, Duration running, String status, String reason) {
    return new ExecutionScript(pending, running, Duration.ZERO, status, reason, 0);
  }

  /** FAILED with a SQL compilation error after {@code running}. */
  public static ExecutionScript failsWithQueryError(Duration pending, Duration running) {
    return ends(pending, running, "FAILED", QUERY_ERROR);
  }

  /** REJECTED by the overlap rule as soon as it leaves PENDING, without running. */
  public static ExecutionScript rejectedForOverlap(Duration pending) {
    return ends(pending, Duration.ZERO, "REJECTED", OVERLAP_REJECTION);
  }

  /** The overlap rejection reported as FAILED, the other form it may take (undocumented). */
  public static ExecutionScript failsForOverlap(Duration pending) {
    return ends(pending, Duration.ZERO, "FAILED", OVERLAP_REJECTION);
  }

  /** FAILED on the time limit after {@code running} (AMC: 21600 s unless the client set it). */
  public static ExecutionScript failsWithTimeLimit(Duration pending, Duration running) {
    return ends(pending, running, "FAILED", TIME_LIMIT);
  }

  /** FAILED for an AMC-side error after {@code running}. */
  public static ExecutionScript failsWithInternalError(Duration pending, Duration running) {
    return ends(pending, running, "FAILED", INTERNAL_ERROR);
  }

  /** FAILED because the advertiser may not read a dataset, after {@code running}. */
  public static ExecutionScript failsWithPermission(Duration pending, Duration running) {
    return ends(pending, running, "FAILED", PERMISSION_DENIED);
  }

  /** The statusReason with the execution's own id and workflow filled in. */
  String reasonFor(String executionId, String workflowId) {
    return statusReason == null
        ? null
        : statusReason.replace("{executionId}", executionId).replace("{workflowId}", workflowId);
  }
}
