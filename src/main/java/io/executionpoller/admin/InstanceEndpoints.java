package io.executionpoller.admin;

import io.agroal.api.AgroalDataSource;
import io.executionpoller.api.ApiProblem;
import io.executionpoller.db.StoredText;
import io.executionpoller.remote.AmcEndpoints;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Changes where an AMC instance's calls go: an operator action of its own, checked against the same
 * allow-list as registrations, and recorded in amc_instance_endpoint_changes with the operator's
 * name. A registration never changes an endpoint.
 */
@ApplicationScoped
public class InstanceEndpoints {

  private static final Logger LOG = Logger.getLogger(InstanceEndpoints.class);

  private static final String EXISTS = "SELECT count(*) FROM amc_instances WHERE instance_id = ?";

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

  private final AgroalDataSource dataSource;
  private final AmcEndpoints endpoints;
  private final Clock clock;

  InstanceEndpoints(AgroalDataSource dataSource, AmcEndpoints endpoints, Clock clock) {
    this.dataSource = dataSource;
    this.endpoints = endpoints;
    this.clock = clock;
  }

  /** Points every row of {@code instanceId} at {@code request.apiBaseUrl()}, audited. */
  public EndpointChange change(String instanceId, EndpointChange request, String caller)
      throws SQLException {
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
    try (Connection connection = dataSource.getConnection()) {
      if (!exists(connection, instanceId)) {
        throw ApiProblem.notFound("instance " + instanceId + " is not registered");
      }
      int changed;
      try (PreparedStatement update = connection.prepareStatement(CHANGE)) {
        update.setString(1, instanceId);
        update.setString(2, url);
        update.setString(3, url);
        update.setString(4, url);
        update.setString(5, caller);
        update.setTimestamp(6, Timestamp.from(now));
        update.setString(7, StoredText.of(request.reason()));
        changed = update.executeUpdate();
      }
      LOG.infof(
          "INSTANCE_ENDPOINT_CHANGED instance=%s apiBaseUrl=%s rows=%d by=%s",
          instanceId, url, changed, caller);
      return new EndpointChange(url, request.reason(), caller, now, changed);
    }
  }

  private static boolean exists(Connection connection, String instanceId) throws SQLException {
    try (PreparedStatement query = connection.prepareStatement(EXISTS)) {
      query.setString(1, instanceId);
      try (ResultSet row = query.executeQuery()) {
        return row.next() && row.getLong(1) > 0;
      }
    }
  }
}
