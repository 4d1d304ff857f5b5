package io.executionpoller.poll;

import io.executionpoller.remote.AmcClient;
import io.executionpoller.remote.ListQuery;
import io.executionpoller.remote.ListedExecution;
import io.executionpoller.remote.RemoteExecution;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

/**
 * Finds the remote execution a create that went unanswered may have made, so that it is adopted
 * instead of created twice or left running: by the loop before it creates again, and by an
 * operator's cancel once the create can no longer be answered. A run is only ever adopted by one
 * row of its AMC instance.
 */
@ApplicationScoped
public class UnansweredCreates {

  private final AmcClient amc;
  private final ExecutionStore store;
  private final RetryConfig retry;

  UnansweredCreates(AmcClient amc, ExecutionStore store, RetryConfig retry) {
    this.amc = amc;
    this.store = store;
    this.retry = retry;
  }

  /**
   * The oldest listed execution that looks like the one {@code execution} tried to create, that no
   * row of its instance tracks and that it never had; null when there is none.
   */
  Uni<RemoteExecution> find(ClaimedExecution execution) {
    ListQuery query =
        new ListQuery(
            execution.amcWorkflowId(),
            execution.submitAttemptedAt().minus(retry.adoptLookback()),
            retry.adoptMaxPages());
    return amc.listExecutions(execution.target(), query)
        .map(listed -> candidates(execution, listed))
        .chain(candidates -> firstUntracked(execution, candidates));
  }

  /**
   * For an operator's cancel of an execution whose create was never answered: looks for the run
   * that create made and adopts it if the row still stands at {@code version}. Returns the adopted
   * remote id, or null when there was nothing to adopt (or the row changed meanwhile: the caller's
   * own guarded write then finds out).
   */
  public Uni<String> adoptBeforeCancel(
      UUID executionId, long version, String replica, Instant now) {
    return store
        .load(executionId)
        .chain(
            execution ->
                execution == null
                        || execution.version() != version
                        || !execution.hadUnansweredCreate()
                    ? Uni.createFrom().nullItem()
                    : find(execution).chain(found -> adoptFound(execution, found, replica, now)));
  }

  private Uni<String> adoptFound(
      ClaimedExecution execution, RemoteExecution found, String replica, Instant now) {
    if (found == null) {
      return Uni.createFrom().nullItem();
    }
    String remoteId = found.workflowExecutionId();
    String message =
        "remote id "
            + remoteId
            + " adopted before cancelling: found by listing after an unanswered create";
    return store
        .adopt(replica, now, execution.id(), execution.version(), remoteId, found.status(), message)
        .map(adopted -> adopted ? remoteId : null);
  }

  private Uni<RemoteExecution> firstUntracked(
      ClaimedExecution execution, List<RemoteExecution> candidates) {
    List<String> ids = candidates.stream().map(RemoteExecution::workflowExecutionId).toList();
    return store
        .untracked(execution.id(), ids)
        .map(
            free ->
                candidates.stream()
                    .filter(remote -> free.contains(remote.workflowExecutionId()))
                    .findFirst()
                    .orElse(null));
  }

  /** Listed executions that look like the one we tried to create, oldest first. */
  private static List<RemoteExecution> candidates(
      ClaimedExecution execution, List<ListedExecution> listed) {
    return listed.stream()
        .filter(item -> AdoptionMatch.matches(execution.createRequest(), item))
        .map(ListedExecution::execution)
        .sorted(
            Comparator.comparing(
                RemoteExecution::createTime, Comparator.nullsLast(Comparator.naturalOrder())))
        .toList();
  }
}
