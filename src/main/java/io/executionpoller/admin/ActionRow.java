package io.executionpoller.admin;

import io.executionpoller.api.ApiProblem;
import io.executionpoller.db.Sessions;
import io.executionpoller.execution.ExecutionStatus;
import io.executionpoller.logging.ExecutionIds;
import io.executionpoller.remote.RemoteTarget;
import io.smallrye.mutiny.Uni;
import java.time.Instant;
import java.util.UUID;

/**
 * An execution as an operator action needs it: its status and version (what the action's guarded
 * write checks), its remote id or unanswered create, how to reach it at AMC, and who it is.
 */
record ActionRow(
    ExecutionStatus status,
    long version,
    String remoteId,
    Instant submitAttemptedAt,
    RemoteTarget target,
    ExecutionIds ids) {

  /** The row as an action needs it, with how to reach it at AMC. */
  private static final String LOAD =
      """
      select e.status, e.version, e.amcExecutionId, e.submitAttemptedAt, e.workflowId,
             i.instanceId, a.advertiserId, a.marketplaceId, i.apiBaseUrl
        from WorkflowExecution e
        join AmcInstance i on i.id = e.instanceRef
        join AmcAccount a on a.id = i.accountId
       where e.id = :id
      """;

  /** The row of execution {@code id}, read in a session of its own; 404 when there is none. */
  static Uni<ActionRow> load(UUID id) {
    return Sessions.read(
            session ->
                session
                    .createSelectionQuery(LOAD, Object[].class)
                    .setParameter("id", id)
                    .getSingleResultOrNull())
        .map(
            row -> {
              if (row == null) {
                throw ApiProblem.notFound("execution " + id + " does not exist");
              }
              String remoteId = (String) row[2];
              String instance = (String) row[5];
              return new ActionRow(
                  (ExecutionStatus) row[0],
                  (Long) row[1],
                  remoteId,
                  (Instant) row[3],
                  new RemoteTarget(instance, (String) row[6], (String) row[7], (String) row[8]),
                  new ExecutionIds(id, remoteId, (UUID) row[4], instance));
            });
  }
}
