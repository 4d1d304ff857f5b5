package io.executionpoller.admin;

import io.executionpoller.api.ApiProblem;
import io.executionpoller.db.Sessions;
import io.executionpoller.db.StoredText;
import io.executionpoller.execution.AmcInstance;
import io.executionpoller.remote.AmcEndpoints;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

/**
 * Changes where an AMC instance's calls go: an operator action of its own, checked against the same
 * allow-list as registrations, and recorded in amc_instance_endpoint_changes with the operator's
 * name. A registration never changes an endpoint. The change and its audit lines are one native
 * statement (a row lock, an UPDATE and an INSERT in CTEs), which no entity query can say.
 */
@ApplicationScoped
public class InstanceEndpoints {

  private static final Logger LOG = Logger.getLogger(InstanceEndpoints.class);

  /**
   * An AMC instance lives in one region whichever account addresses it, so every row of the
   * instance id moves; each changed row gets its audit line in the same statement.
   */
  private static final String CHANGE =
      """
      WITH previous AS (
          SELECT id, api_base_url FROM amc_instances WHERE instance_id = ? FOR UPDATE),
      changed AS (
          UPDATE amc_instances i SET api_base_url = ?
            FROM previous p
           WHERE i.id = p.id AND p.api_base_url IS DISTINCT FROM ?
          RETURNING i.id, p.api_base_url AS previous_api_base_url)
      INSERT INTO amc_instance_endpoint_changes
             (amc_instance_id, previous_api_base_url, api_base_url, changed_by, changed_at, reason)
      SELECT id, previous_api_base_url, ?, ?, ?, ? FROM changed
      """;

  private final AmcEndpoints endpoints;
  private final Clock clock;

  InstanceEndpoints(AmcEndpoints endpoints, Clock clock) {
    this.endpoints = endpoints;
    this.clock = clock;
  }

  /** Points every row of {@code instanceId} at {@code request.apiBaseUrl()}, audited. */
  public Uni<EndpointChange> change(String instanceId, EndpointChange request, String caller) {
    if (request == null || request.apiBaseUrl() == null) {
      throw ApiProblem.badRequest("apiBaseUrl is required");
    }
    Optional<String> refusal = endpoints.refusal(request.apiBaseUrl());
    if (refusal.isPresent()) {
      throw ApiProblem.badRequest(refusal.get());
    }
    if (request.reason() != null && request.reason().length() > 500) {
      throw ApiProblem.badRequest("reason is longer than 500 characters");
    }
    String url = AmcEndpoints.normalize(request.apiBaseUrl());
    Instant now = clock.instant();
    return Sessions.write(session -> changeRows(session, instanceId, url, caller, now, request))
        .map(
            changed -> {
              LOG.infof(
                  "INSTANCE_ENDPOINT_CHANGED instance=%s apiBaseUrl=%s rows=%d by=%s",
                  instanceId, url, changed, caller);
              return new EndpointChange(url, request.reason(), caller, now, changed);
            });
  }

  private static Uni<Integer> changeRows(
      Mutiny.Session session,
      String instanceId,
      String url,
      String caller,
      Instant now,
      EndpointChange request) {
    return AmcInstance.count("instanceId", instanceId)
        .chain(
            rows -> {
              if (rows == 0) {
                throw ApiProblem.notFound("instance " + instanceId + " is not registered");
              }
              return session
                  .createNativeQuery(CHANGE)
                  .setParameter(1, instanceId)
                  .setParameter(2, url)
                  .setParameter(3, url)
                  .setParameter(4, url)
                  .setParameter(5, caller)
                  .setParameter(6, now)
                  .setParameter(7, StoredText.of(request.reason()))
                  .executeUpdate();
            });
  }
}
