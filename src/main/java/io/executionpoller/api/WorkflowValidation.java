package io.executionpoller.api;

import io.executionpoller.db.Sessions;
import io.executionpoller.db.StoredText;
import io.executionpoller.failure.ErrorClassifier;
import io.executionpoller.remote.AmcClient;
import io.executionpoller.remote.CreateExecutionRequest;
import io.executionpoller.remote.RemoteCallException;
import io.executionpoller.remote.RemoteFailures;
import io.executionpoller.remote.RemoteTarget;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

/**
 * Asks AMC to validate a workflow's create without running it ({@code dryRun: true}). A refusal is
 * a verdict; no answer at all (outage, breaker open, credentials paused) is not, and fails with 503
 * so the caller asks again later.
 */
@ApplicationScoped
class WorkflowValidation {

  private static final String TARGET =
      """
      SELECT i.instance_id, a.account_id, a.marketplace_id, i.api_base_url,
             w.amc_workflow_id, w.sql_query
        FROM workflows w
        JOIN amc_instances i ON i.id = w.amc_instance_id
        JOIN amc_accounts a ON a.id = i.amc_account_id
       WHERE w.id = :id
      """;

  private final AmcClient amc;

  WorkflowValidation(AmcClient amc) {
    this.amc = amc;
  }

  /** The verdict on the registered workflow {@code workflowId}. */
  Uni<ValidationVerdict> validate(UUID workflowId) {
    return Sessions.read(
            session ->
                session
                    .createNativeQuery(TARGET, Object[].class)
                    .setParameter("id", workflowId)
                    .getSingleResultOrNull())
        .onItem()
        .ifNull()
        .failWith(() -> ApiProblem.notFound("workflow " + workflowId + " does not exist"))
        .chain(
            row ->
                validate(
                    new RemoteTarget(
                        (String) row[0], (String) row[1], (String) row[2], (String) row[3]),
                    new CreateExecutionRequest((String) row[4], (String) row[5], null, null)));
  }

  /** The verdict on a create to {@code target}, for a workflow not registered yet. */
  Uni<ValidationVerdict> validate(RemoteTarget target, CreateExecutionRequest request) {
    return amc.validateExecution(target, request)
        .replaceWith(ValidationVerdict.accepted())
        .onFailure(WorkflowValidation::isRefusal)
        .recoverWithItem(WorkflowValidation::refused)
        .onFailure(failure -> !(failure instanceof ApiProblem))
        .transform(
            failure ->
                new ApiProblem(
                    503,
                    "AMC could not be asked to validate the workflow: " + failure.getMessage()));
  }

  /** AMC answered, and said no: a 4xx other than an expired token or the request throttle. */
  private static boolean isRefusal(Throwable failure) {
    return failure instanceof RemoteCallException remote && remote.isRefusal();
  }

  private static ValidationVerdict refused(Throwable failure) {
    RemoteCallException remote = (RemoteCallException) failure;
    return new ValidationVerdict(
        false,
        ErrorClassifier.classify(RemoteFailures.facts(remote)).name(),
        remote.httpStatus(),
        StoredText.of(remote.body()));
  }
}
