package io.executionpoller.simulator;

import java.time.Instant;

/** Mutable state of one simulated AMC execution; guarded by the simulator's lock. */
final class SimulatedExecution {

  final String id;
  final String instanceId;
  final String workflowId;
  final ExecutionScript script;
  final Instant createdAt;
  final Instant readyAt;
  Instant startedAt;
  Instant finishedAt;
  boolean cancelled;

  SimulatedExecution(
      String id, String instanceId, String workflowId, ExecutionScript script, Instant createdAt) {
    this.id = id;
    this.instanceId = instanceId;
    this.workflowId = workflowId;
    this.script = script;
    this.createdAt = createdAt;
    this.readyAt = createdAt.plus(script.pendingFor());
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

  boolean isActive() {
    return !cancelled && finishedAt == null;
  }
}
