package io.executionpoller.admin;

import io.executionpoller.stuck.StuckExecution;
import io.executionpoller.watchdog.Replicas;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * GET /debug: the debug snapshot. Everything an operator looks at first when work does not move, in
 * one answer; each part is collected separately so one failing part does not hide the rest (its
 * {@code error} says what failed).
 */
public record DebugSnapshot(
    Instant at,
    String replica,
    Database database,
    Backlog backlog,
    List<RemoteInstance> remote,
    Credentials credentials,
    ReplicaList replicas,
    Stuck stuck) {

  /** A round trip to PostgreSQL. */
  public record Database(boolean reachable, Long roundTripMillis, String error) {}

  /** Checks due now and not leased, the oldest of them, and results waiting to be downloaded. */
  public record Backlog(
      Long dueChecks,
      Instant oldestDueAt,
      Long oldestDueAgeSeconds,
      Long leasedChecks,
      Long resultsWaiting,
      String error) {}

  /** One AMC instance as this replica's circuit breaker sees it. */
  public record RemoteInstance(
      String instance,
      String apiHost,
      String breakerState,
      int consecutiveFailures,
      Instant openUntil,
      long timesOpened) {}

  /** The AMC credentials' state; never the credentials. */
  public record Credentials(String state, String error, Instant pausedUntil) {}

  /** Replicas from their heartbeats. */
  public record ReplicaList(List<Replicas.Replica> replicas, String error) {}

  /** Stuck executions (at most 100) and the count by reason. */
  public record Stuck(List<StuckExecution> executions, Map<String, Long> byReason, String error) {}
}
