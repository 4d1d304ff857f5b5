package io.executionpoller.simulator;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Mutable state of one simulated AMC execution; guarded by the lock of {@link RemoteExecutions}.
 */
final class SimulatedExecution {

  /**
   * What the create request asked for, kept so the views can echo it: a client whose create went
   * unanswered recognises its own execution in the list by these fields.
   */
  record Submission(
      String workflowId,
      String sqlQuery,
      Map<String, String> parameterValues,
      String timeWindowType,
      String timeWindowStart,
      String timeWindowEnd,
      String timeWindowTimeZone) {

    Submission {
      parameterValues = parameterValues == null ? Map.of() : Map.copyOf(parameterValues);
      // AMC's defaults when the request leaves them out.
      timeWindowType = timeWindowType == null ? "MOST_RECENT_DAY" : timeWindowType;
      timeWindowTimeZone = timeWindowTimeZone == null ? "UTC" : timeWindowTimeZone;
    }

    static Submission savedWorkflow(String workflowId) {
      return new Submission(workflowId, null, null, null, null, null, null);
    }
  }

  final String id;
  final String instanceId;
  final String workflowId;
  final Submission submission;
  final ExecutionScript script;
  final Instant createdAt;
  final Instant readyAt;

  /** Creation order; breaks ties between executions created in the same instant. */
  final long sequence;

  Instant startedAt;
  Instant finishedAt;
  boolean cancelled;

  /** The files its result delivers, named; null for the default demo CSV of the script's rows. */
  List<ResultFile> resultFiles;

  SimulatedExecution(
      String id,
      String instanceId,
      String workflowId,
      Submission submission,
      ExecutionScript script,
      Instant createdAt,
      long sequence) {
    this.id = id;
    this.instanceId = instanceId;
    this.workflowId = workflowId;
    this.submission = submission;
    this.script = script;
    this.createdAt = createdAt;
    this.readyAt = createdAt.plus(script.pendingFor());
    this.sequence = sequence;
  }

  Instant finishAt() {
    return startedAt.plus(script.runningFor()).plus(script.publishingFor());
  }

  /** The status AMC would show at {@code now}, given the queueing already decided. */
  String statusAt(Instant now) {
    if (cancelled) {
      return "CANCELLED";
    }
    if (finishedAt != null) {
      return script.finalStatus();
    }
    if (startedAt == null) {
      return "PENDING";
    }
    return now.isBefore(startedAt.plus(script.runningFor())) ? "RUNNING" : "PUBLISHING";
  }

  /**
   * The status AMC showed at {@code then}, an instant before now: the queueing decided since then
   * is undone (a cancel is not: its time is not kept).
   */
  String statusAsOf(Instant then) {
    if (cancelled || (finishedAt != null && !finishedAt.isAfter(then))) {
      return statusAt(then);
    }
    if (startedAt == null || startedAt.isAfter(then)) {
      return "PENDING";
    }
    return then.isBefore(startedAt.plus(script.runningFor())) ? "RUNNING" : "PUBLISHING";
  }

  boolean isActive() {
    return !cancelled && finishedAt == null;
  }
}
