package io.executionpoller.api;

import io.executionpoller.execution.AmcAccount;
import io.executionpoller.execution.AmcInstance;
import io.executionpoller.execution.Workflow;
import io.executionpoller.remote.AmcEndpoints;
import io.executionpoller.remote.CallerContext;
import io.executionpoller.remote.CreateExecutionRequest;
import io.executionpoller.remote.RemoteTarget;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Registers what to run on AMC and lists it. The account and instance are created on first use. */
@Tag(name = "workflows")
@Path("/api/v1/workflows")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class WorkflowResource {

  private static final String INSERT_ACCOUNT =
      """
      INSERT INTO amc_accounts (account_id, marketplace_id, created_at)
      VALUES (:advertiser, :marketplace, :now)
      ON CONFLICT (account_id, marketplace_id) DO NOTHING
      RETURNING id
      """;

  private static final String INSERT_INSTANCE =
      """
      INSERT INTO amc_instances (instance_id, amc_account_id, api_base_url, created_at)
      VALUES (:instance, :account, :url, :now)
      ON CONFLICT (instance_id, amc_account_id) DO NOTHING
      RETURNING id
      """;

  private final Clock clock;
  private final WorkflowQueries queries;
  private final AmcEndpoints endpoints;
  private final WorkflowValidation validation;

  WorkflowResource(
      Clock clock, WorkflowQueries queries, AmcEndpoints endpoints, WorkflowValidation validation) {
    this.clock = clock;
    this.queries = queries;
    this.endpoints = endpoints;
    this.validation = validation;
  }

  @Operation(
      summary =
          "Ask AMC to validate the workflow's create without running it (dryRun; no quota spent)")
  @POST
  @Path("/{id}/validate")
  @Consumes(MediaType.WILDCARD)
  public Uni<ValidationVerdict> validateRemotely(@PathParam("id") String id) {
    return validation.validate(QueryParams.uuid("id", id));
  }

  @Operation(summary = "List workflows newest first")
  @GET
  public Uni<Page<WorkflowView>> list(
      @QueryParam("instanceId") String instanceId,
      @QueryParam("limit") String limit,
      @QueryParam("cursor") String cursor) {
    return queries.list(
        QueryParams.optionalRemoteId("instanceId", instanceId),
        PageCursor.decode(cursor),
        (int) QueryParams.wholeNumber("limit", limit, 100, 1, 500));
  }

  @Operation(summary = "One workflow")
  @GET
  @Path("/{id}")
  public Uni<WorkflowView> get(@PathParam("id") String id) {
    UUID workflowId = QueryParams.uuid("id", id);
    return queries
        .find(workflowId)
        .onItem()
        .ifNull()
        .failWith(() -> ApiProblem.notFound("workflow " + workflowId + " does not exist"));
  }

  @Operation(
      summary =
          "Register a workflow (saved AMC workflow or ad hoc query); with \"validate\": true,"
              + " only once AMC has validated its create (dryRun), else 422 with AMC's verdict")
  @POST
  public Uni<Response> register(WorkflowRegistration request) {
    validate(request);
    if (request.apiBaseUrl() != null) {
      Optional<String> refusal = endpoints.refusal(request.apiBaseUrl());
      if (refusal.isPresent()) {
        throw ApiProblem.badRequest(refusal.get());
      }
    }
    // AMC is asked before the transaction opens: no connection is held across a remote call. Its
    // answer comes back on the request's context, where the transaction may open.
    Uni<ValidationVerdict> verdict =
        Boolean.TRUE.equals(request.validate())
            ? CallerContext.answeredHere(
                validation.validate(target(request), createRequest(request)))
            : Uni.createFrom().item(ValidationVerdict.accepted());
    return verdict.chain(
        answer ->
            answer.valid()
                ? Panache.withTransaction(() -> registered(request))
                : Uni.createFrom().item(Response.status(422).entity(answer).build()));
  }

  private static RemoteTarget target(WorkflowRegistration request) {
    return new RemoteTarget(
        request.instanceId(),
        request.advertiserId(),
        request.marketplaceId(),
        request.apiBaseUrl() == null ? null : AmcEndpoints.normalize(request.apiBaseUrl()));
  }

  private static CreateExecutionRequest createRequest(WorkflowRegistration request) {
    return new CreateExecutionRequest(request.workflowId(), request.sqlQuery(), null, null);
  }

  private Uni<Response> registered(WorkflowRegistration request) {
    Instant now = clock.instant();
    return account(request, now)
        .chain(
            account ->
                instance(request, account, now)
                    .chain(
                        instance ->
                            workflow(request, instance, now)
                                .map(workflow -> WorkflowView.of(workflow, instance, account))))
        .map(
            view ->
                Response.created(URI.create("/api/v1/workflows/" + view.id()))
                    .entity(view)
                    .build());
  }

  /**
   * Finds or creates the account in one statement each way: parallel registrations of a new
   * advertiser all insert, the database keeps one row, and the others wait for it to commit and
   * then read it (a later statement, so a fresh snapshot, sees it).
   */
  private static Uni<AmcAccount> account(WorkflowRegistration request, Instant now) {
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(INSERT_ACCOUNT, Long.class)
                    .setParameter("advertiser", request.advertiserId())
                    .setParameter("marketplace", request.marketplaceId())
                    .setParameter("now", now)
                    .getResultList())
        .chain(
            inserted ->
                inserted.isEmpty()
                    ? AmcAccount.<AmcAccount>find(
                            "advertiserId = ?1 and marketplaceId = ?2",
                            request.advertiserId(),
                            request.marketplaceId())
                        .singleResult()
                    : AmcAccount.<AmcAccount>findById(inserted.get(0)));
  }

  /**
   * Finds or creates the instance the same way. An existing instance keeps its endpoint: a
   * registration naming another one is refused (an operator changes it, see
   * admin.EndpointResource).
   */
  private Uni<AmcInstance> instance(WorkflowRegistration request, AmcAccount account, Instant now) {
    String url = request.apiBaseUrl() == null ? null : AmcEndpoints.normalize(request.apiBaseUrl());
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(INSERT_INSTANCE, Long.class)
                    .setParameter("instance", request.instanceId())
                    .setParameter("account", account.id)
                    .setParameter("url", url)
                    .setParameter("now", now)
                    .getResultList())
        .chain(
            inserted ->
                inserted.isEmpty()
                    ? AmcInstance.<AmcInstance>find(
                            "instanceId = ?1 and accountId = ?2", request.instanceId(), account.id)
                        .singleResult()
                        .invoke(existing -> sameEndpoint(existing, url))
                    : AmcInstance.<AmcInstance>findById(inserted.get(0)));
  }

  private void sameEndpoint(AmcInstance existing, String requested) {
    if (requested != null
        && !endpoints.effective(existing.apiBaseUrl).equals(endpoints.effective(requested))) {
      throw ApiProblem.conflict(
          "instance "
              + existing.instanceId
              + " already calls "
              + endpoints.effective(existing.apiBaseUrl)
              + "; a registration does not change it (an operator may: PUT /api/v1/instances/"
              + existing.instanceId
              + "/endpoint)");
    }
  }

  private static Uni<Workflow> workflow(
      WorkflowRegistration request, AmcInstance instance, Instant now) {
    Workflow workflow = new Workflow();
    workflow.id = UUID.randomUUID();
    workflow.instanceRef = instance.id;
    workflow.name = request.name();
    workflow.amcWorkflowId = request.workflowId();
    workflow.sqlQuery = request.sqlQuery();
    workflow.maxRuntimeSeconds = request.maxRuntimeSeconds();
    workflow.warningThresholdSeconds = request.warningThresholdSeconds();
    workflow.createdAt = now;
    workflow.updatedAt = now;
    return workflow.persist();
  }

  private static void validate(WorkflowRegistration request) {
    if (request == null) {
      throw ApiProblem.badRequest("a JSON body is required");
    }
    QueryParams.remoteId("instanceId", request.instanceId());
    QueryParams.remoteId("advertiserId", request.advertiserId());
    QueryParams.remoteId("marketplaceId", request.marketplaceId());
    boolean saved = request.workflowId() != null;
    boolean adHoc = request.sqlQuery() != null && !request.sqlQuery().isBlank();
    if (saved == adHoc) {
      throw ApiProblem.badRequest("give exactly one of workflowId and sqlQuery");
    }
    if (saved) {
      QueryParams.remoteId("workflowId", request.workflowId());
    }
    if (adHoc && request.sqlQuery().length() > 100_000) {
      throw ApiProblem.badRequest("sqlQuery is longer than 100000 characters");
    }
    if (request.name() != null && request.name().length() > 200) {
      throw ApiProblem.badRequest("name is longer than 200 characters");
    }
    positive("maxRuntimeSeconds", request.maxRuntimeSeconds());
    positive("warningThresholdSeconds", request.warningThresholdSeconds());
    if (request.maxRuntimeSeconds() != null
        && request.warningThresholdSeconds() != null
        && request.warningThresholdSeconds() >= request.maxRuntimeSeconds()) {
      throw ApiProblem.badRequest("warningThresholdSeconds must be below maxRuntimeSeconds");
    }
    if (request.apiBaseUrl() != null
        && !request.apiBaseUrl().matches("https?://[A-Za-z0-9.:\\-\\[\\]]+(/[A-Za-z0-9._~/-]*)?")) {
      throw ApiProblem.badRequest("apiBaseUrl must be an http(s) URL without query or credentials");
    }
  }

  private static void positive(String field, Integer value) {
    if (value != null && (value <= 0 || value > 7 * 24 * 3600)) {
      throw ApiProblem.badRequest(field + " must be between 1 and 604800");
    }
  }
}
