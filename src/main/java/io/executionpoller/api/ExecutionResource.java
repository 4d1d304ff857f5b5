package io.executionpoller.api;

import io.executionpoller.execution.AmcInstance;
import io.executionpoller.execution.EventType;
import io.executionpoller.execution.ExecutionEvent;
import io.executionpoller.execution.ExecutionStatus;
import io.executionpoller.execution.TimeWindow;
import io.executionpoller.execution.Workflow;
import io.executionpoller.execution.WorkflowExecution;
import io.executionpoller.logging.ExecutionIds;
import io.executionpoller.logging.ExecutionLog;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
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
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Registers executions for the poller, lists them and shows one with its audit trail. */
@Tag(name = "executions")
@Path("/api/v1/executions")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class ExecutionResource {

  private static final ExecutionLog LOG = ExecutionLog.of(ExecutionResource.class);
  private static final Set<String> WINDOW_TYPES =
      Set.of(
          "EXPLICIT",
          "MOST_RECENT_DAY",
          "MOST_RECENT_WEEK",
          "CURRENT_MONTH",
          "PREVIOUS_MONTH",
          "ALL");
  private static final String AMC_LOCAL_TIME = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}";

  private final Clock clock;
  private final ExecutionQueries queries;

  ExecutionResource(Clock clock, ExecutionQueries queries) {
    this.clock = clock;
    this.queries = queries;
  }

  @Operation(
      summary = "Register an execution: submit it to AMC, or track an existing amcExecutionId")
  @POST
  @WithTransaction
  public Uni<Response> register(ExecutionRegistration request) {
    validate(request);
    return Workflow.<Workflow>findById(request.workflowId())
        .onItem()
        .ifNull()
        .failWith(() -> ApiProblem.notFound("workflow " + request.workflowId() + " does not exist"))
        .chain(
            workflow ->
                persist(request)
                    // Flushed first, so a registration refused by a constraint (409) logs nothing.
                    .call(Panache::flush)
                    .call(execution -> logRegistered(execution, workflow)))
        .map(
            execution ->
                Response.created(URI.create("/api/v1/executions/" + execution.id))
                    .entity(ExecutionView.of(execution))
                    .build());
  }

  @Operation(summary = "List executions newest first, with filters and a cursor")
  @GET
  public Page<ExecutionSummary> list(
      @QueryParam("status") List<String> status,
      @QueryParam("workflowId") String workflowId,
      @QueryParam("instanceId") String instanceId,
      @QueryParam("createdAfter") String createdAfter,
      @QueryParam("limit") String limit,
      @QueryParam("cursor") String cursor)
      throws SQLException {
    ExecutionFilter filter =
        new ExecutionFilter(
            QueryParams.statuses(status),
            QueryParams.optionalUuid("workflowId", workflowId),
            QueryParams.optionalRemoteId("instanceId", instanceId),
            QueryParams.instant("createdAfter", createdAfter));
    int pageSize = (int) QueryParams.wholeNumber("limit", limit, 50, 1, 500);
    return queries.list(filter, PageCursor.decode(cursor), pageSize);
  }

  @Operation(summary = "Everything about one execution, with its result step")
  @GET
  @Path("/{id}")
  public ExecutionView get(@PathParam("id") String id) throws SQLException {
    UUID executionId = QueryParams.uuid("id", id);
    return queries
        .detail(executionId)
        .orElseThrow(() -> ApiProblem.notFound("execution " + executionId + " does not exist"));
  }

  @Operation(summary = "The audit trail of one execution, by sequence")
  @GET
  @Path("/{id}/events")
  public Page<EventView> events(
      @PathParam("id") String id,
      @QueryParam("after") String after,
      @QueryParam("limit") String limit)
      throws SQLException {
    UUID executionId = QueryParams.uuid("id", id);
    return queries
        .events(
            executionId,
            QueryParams.wholeNumber("after", after, 0, 0, Long.MAX_VALUE),
            (int) QueryParams.wholeNumber("limit", limit, 100, 1, 1000))
        .orElseThrow(() -> ApiProblem.notFound("execution " + executionId + " does not exist"));
  }

  /** EXEC_REGISTERED, the first lifecycle line, with the instance the execution will run on. */
  private static Uni<Void> logRegistered(WorkflowExecution execution, Workflow workflow) {
    return AmcInstance.<AmcInstance>findById(workflow.instanceRef)
        .invoke(
            instance ->
                LOG.info(
                    new ExecutionIds(
                        execution.id,
                        execution.amcExecutionId,
                        workflow.id,
                        instance == null ? null : instance.instanceId),
                    "EXEC_REGISTERED",
                    ""))
        .replaceWithVoid();
  }

  private Uni<WorkflowExecution> persist(ExecutionRegistration request) {
    Instant now = clock.instant();
    WorkflowExecution execution = new WorkflowExecution();
    execution.id = UUID.randomUUID();
    execution.workflowId = request.workflowId();
    execution.amcExecutionId = request.amcExecutionId();
    execution.status = ExecutionStatus.PENDING;
    execution.createdAt = now;
    execution.updatedAt = now;
    execution.nextPollAt = now;
    execution.parameters =
        request.parameterValues() == null ? Map.of() : new HashMap<>(request.parameterValues());
    execution.timeWindow = request.timeWindow();
    ExecutionEvent registered = new ExecutionEvent();
    registered.executionId = execution.id;
    registered.occurredAt = now;
    registered.type = EventType.REGISTERED;
    registered.attempt = 0;
    registered.toStatus = ExecutionStatus.PENDING;
    registered.amcExecutionId = request.amcExecutionId();
    registered.message =
        request.amcExecutionId() == null
            ? "to be submitted"
            : "tracking an existing remote execution";
    return execution.<WorkflowExecution>persist().call(() -> registered.persist());
  }

  private static void validate(ExecutionRegistration request) {
    if (request == null || request.workflowId() == null) {
      throw ApiProblem.badRequest("workflowId (a UUID) is required");
    }
    if (request.amcExecutionId() != null) {
      QueryParams.remoteId("amcExecutionId", request.amcExecutionId());
    }
    if (request.parameterValues() != null) {
      if (request.parameterValues().size() > 100) {
        throw ApiProblem.badRequest("at most 100 parameterValues");
      }
      request
          .parameterValues()
          .forEach(
              (key, value) -> {
                if (key == null
                    || key.isBlank()
                    || key.length() > 128
                    || value == null
                    || value.length() > 10_000) {
                  throw ApiProblem.badRequest(
                      "parameterValues need names of 1-128 characters and values of at most 10000");
                }
              });
    }
    TimeWindow window = request.timeWindow();
    if (window != null) {
      if (window.type() == null || !WINDOW_TYPES.contains(window.type())) {
        throw ApiProblem.badRequest("timeWindow.type must be one of " + WINDOW_TYPES);
      }
      boolean explicit = window.type().equals("EXPLICIT");
      boolean hasBounds = window.start() != null || window.end() != null;
      if (explicit != hasBounds
          || (explicit
              && (window.start() == null
                  || window.end() == null
                  || !window.start().matches(AMC_LOCAL_TIME)
                  || !window.end().matches(AMC_LOCAL_TIME)))) {
        throw ApiProblem.badRequest(
            "timeWindow.start and end (yyyy-MM-dd'T'HH:mm:ss) go with EXPLICIT, and only with it");
      }
      if (window.timeZone() != null && !window.timeZone().matches("[A-Za-z_/+\\-0-9]{1,64}")) {
        throw ApiProblem.badRequest("timeWindow.timeZone is not a time zone name");
      }
    }
  }
}
