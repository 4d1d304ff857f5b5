package io.executionpoller.api;

import io.executionpoller.db.StoredText;
import io.executionpoller.execution.AmcInstance;
import io.executionpoller.execution.EventRows;
import io.executionpoller.execution.EventType;
import io.executionpoller.execution.ExecutionStatus;
import io.executionpoller.execution.TimeWindow;
import io.executionpoller.execution.Workflow;
import io.executionpoller.execution.WorkflowExecution;
import io.executionpoller.logging.ExecutionIds;
import io.executionpoller.logging.ExecutionLog;
import io.executionpoller.notify.ExecutionCallbacks;
import io.executionpoller.tracing.TraceParent;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.hibernate.exception.ConstraintViolationException;

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

  /** The request header of the IETF httpapi draft "The Idempotency-Key HTTP Header Field". */
  static final String IDEMPOTENCY_KEY = "Idempotency-Key";

  private static final String TRACKED_BY =
      """
      SELECT e.id FROM workflow_executions e JOIN workflows w ON w.amc_instance_id = e.amc_instance_id
       WHERE w.id = :workflow AND e.amc_execution_id = :remote
      """;

  private static final String CLAIM_KEY =
      IdempotencyKey.TAKE.formatted("VALUES (:key, :digest, :execution, :now, :expires)")
          + "RETURNING k.execution_id";

  private static final String FIND_KEY =
      """
      SELECT request_digest, execution_id FROM execution_idempotency_keys
       WHERE idempotency_key = :key
      """;

  private final Clock clock;
  private final ExecutionQueries queries;
  private final ApiConfig config;
  private final ExecutionCallbacks callbacks;

  ExecutionResource(
      Clock clock, ExecutionQueries queries, ApiConfig config, ExecutionCallbacks callbacks) {
    this.clock = clock;
    this.queries = queries;
    this.config = config;
    this.callbacks = callbacks;
  }

  @Operation(
      summary =
          "Register an execution: submit it to AMC, or track an existing amcExecutionId."
              + " With an Idempotency-Key header a repeat answers the first execution (200).")
  @POST
  public Uni<Response> register(
      ExecutionRegistration request,
      @Parameter(
              description =
                  "Optional (IETF httpapi draft): a quoted string of 1-255 printable characters."
                      + " A repeat with the same body within poller.api.idempotency-key-lifetime"
                      + " answers 200 with the first execution; another body answers 422.")
          @HeaderParam(IDEMPOTENCY_KEY)
          String idempotencyKey,
      @Parameter(
              description =
                  "Optional (W3C Trace Context): the trace this registration belongs to. The"
                      + " execution's checks, submission and result download continue it.")
          @HeaderParam(TraceParent.HEADER)
          String traceparent) {
    validate(request);
    validateCallback(callbacks, request);
    IdempotencyKey key = IdempotencyKey.of(idempotencyKey, request);
    UUID id = UUID.randomUUID();
    Instant now = clock.instant();
    // Read here, on the request's context, where its server span is current.
    String trace = TraceParent.ofRegistration(traceparent);
    return Panache.withTransaction(() -> registerOnce(request, key, id, now, trace))
        // Looked up once the failed transaction has ended and handed its connection back, so a
        // request never holds two connections of the pool.
        .onFailure(ExecutionResource::isTrackedElsewhere)
        .recoverWithUni(
            () ->
                Panache.withSession(() -> trackedBy(request))
                    .onItem()
                    .transformToUni(
                        row ->
                            Uni.createFrom()
                                .failure(trackedConflict(request.amcExecutionId(), row))));
  }

  private Uni<Response> registerOnce(
      ExecutionRegistration request, IdempotencyKey key, UUID id, Instant now, String trace) {
    return Workflow.<Workflow>findById(request.workflowId())
        .onItem()
        .ifNull()
        .failWith(() -> ApiProblem.notFound("workflow " + request.workflowId() + " does not exist"))
        .chain(
            workflow ->
                claim(key, id, now)
                    .chain(
                        earlier ->
                            earlier == null
                                ? create(request, id, now, workflow, trace)
                                : replay(earlier)));
  }

  /**
   * Takes the key for execution {@code id}; null when there is no key or this is its first use
   * (then the execution must be created in this transaction), else the execution an earlier use
   * created. A concurrent first use holds the key row uncommitted, so the insert waits for it: its
   * commit makes this a repeat, its rollback makes this the first use. An expired key is taken over
   * as if new.
   */
  private Uni<UUID> claim(IdempotencyKey key, UUID id, Instant now) {
    if (key == null) {
      return Uni.createFrom().nullItem();
    }
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(CLAIM_KEY, UUID.class)
                    .setParameter("key", key.value())
                    .setParameter("digest", key.requestDigest())
                    .setParameter("execution", id)
                    .setParameter("now", now)
                    .setParameter("expires", now.plus(config.idempotencyKeyLifetime()))
                    .getResultList())
        .chain(claimed -> claimed.isEmpty() ? earlierUse(key) : Uni.createFrom().nullItem());
  }

  /** The execution of the key's first use; 422 when that use had another request body. */
  private static Uni<UUID> earlierUse(IdempotencyKey key) {
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(FIND_KEY, Object[].class)
                    .setParameter("key", key.value())
                    .getResultList())
        .map(
            rows -> {
              if (rows.isEmpty()) {
                throw ApiProblem.conflict(
                    "Idempotency-Key expired meanwhile; send the request again");
              }
              if (!key.requestDigest().equals(rows.get(0)[0])) {
                throw new ApiProblem(
                    422, "Idempotency-Key was already used with a different request body");
              }
              return (UUID) rows.get(0)[1];
            });
  }

  private Uni<Response> replay(UUID earlier) {
    return WorkflowExecution.<WorkflowExecution>findById(earlier)
        .map(
            execution ->
                Response.ok(ExecutionView.of(execution))
                    .header("Content-Location", "/api/v1/executions/" + earlier)
                    .build());
  }

  private Uni<Response> create(
      ExecutionRegistration request, UUID id, Instant now, Workflow workflow, String trace) {
    return notTrackedYet(request)
        // Written (flushed) before the line, so a registration refused by a constraint (409)
        // logs nothing.
        .chain(() -> persist(request, id, now, trace))
        .call(execution -> logRegistered(execution, workflow))
        .chain(
            execution ->
                callbacks
                    .register(execution.id, request.callbackUrl(), now)
                    .map(callbackSecret -> created(execution, callbackSecret)));
  }

  /** 201 with the execution; a callback's secret is shown here once, in its own header. */
  private static Response created(WorkflowExecution execution, String callbackSecret) {
    Response.ResponseBuilder created =
        Response.created(URI.create("/api/v1/executions/" + execution.id))
            .entity(ExecutionView.of(execution));
    if (callbackSecret != null) {
      created.header(ExecutionCallbacks.SECRET_HEADER, callbackSecret);
    }
    return created.build();
  }

  /**
   * 409 naming the row when the instance already tracks this remote execution. A registration
   * racing this check past it meets the unique index instead, answered the same way by {@link
   * #register} (the violation comes once the other has committed, so the lookup sees its row).
   */
  private static Uni<Void> notTrackedYet(ExecutionRegistration request) {
    if (request.amcExecutionId() == null) {
      return Uni.createFrom().voidItem();
    }
    return trackedBy(request)
        .invoke(
            row -> {
              if (row != null) {
                throw trackedConflict(request.amcExecutionId(), row);
              }
            })
        .replaceWithVoid();
  }

  /** The row tracking the requested remote execution on the workflow's instance, or null. */
  private static Uni<UUID> trackedBy(ExecutionRegistration request) {
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(TRACKED_BY, UUID.class)
                    .setParameter("workflow", request.workflowId())
                    .setParameter("remote", request.amcExecutionId())
                    .getResultList())
        .map(rows -> rows.isEmpty() ? null : rows.get(0));
  }

  private static ApiProblem trackedConflict(String amcExecutionId, UUID row) {
    return ApiProblem.conflict(
        row == null
            ? "remote execution " + amcExecutionId + " is already tracked on this instance"
            : "remote execution "
                + amcExecutionId
                + " is already tracked by execution "
                + row
                + " (/api/v1/executions/"
                + row
                + ")");
  }

  private static boolean isTrackedElsewhere(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof ConstraintViolationException violation
          && WorkflowExecution.ONE_ROW_PER_REMOTE_RUN.equals(violation.getConstraintName())) {
        return true;
      }
    }
    return false;
  }

  @Operation(summary = "List executions newest first, with filters and a cursor")
  @GET
  public Uni<Page<ExecutionSummary>> list(
      @QueryParam("status") List<String> status,
      @QueryParam("workflowId") String workflowId,
      @QueryParam("instanceId") String instanceId,
      @QueryParam("createdAfter") String createdAfter,
      @QueryParam("limit") String limit,
      @QueryParam("cursor") String cursor) {
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
  public Uni<ExecutionView> get(@PathParam("id") String id) {
    UUID executionId = QueryParams.uuid("id", id);
    return queries
        .detail(executionId)
        .onItem()
        .ifNull()
        .failWith(() -> ApiProblem.notFound("execution " + executionId + " does not exist"));
  }

  @Operation(summary = "The audit trail of one execution, by sequence")
  @GET
  @Path("/{id}/events")
  public Uni<Page<EventView>> events(
      @PathParam("id") String id,
      @QueryParam("after") String after,
      @QueryParam("limit") String limit) {
    UUID executionId = QueryParams.uuid("id", id);
    return queries
        .events(
            executionId,
            QueryParams.wholeNumber("after", after, 0, 0, Long.MAX_VALUE),
            (int) QueryParams.wholeNumber("limit", limit, 100, 1, 1000))
        .onItem()
        .ifNull()
        .failWith(() -> ApiProblem.notFound("execution " + executionId + " does not exist"));
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
                        instance == null ? null : instance.instanceId,
                        execution.traceparent),
                    "EXEC_REGISTERED",
                    ""))
        .replaceWithVoid();
  }

  private static Uni<WorkflowExecution> persist(
      ExecutionRegistration request, UUID id, Instant now, String trace) {
    WorkflowExecution execution = new WorkflowExecution();
    execution.id = id;
    execution.workflowId = request.workflowId();
    execution.amcExecutionId = request.amcExecutionId();
    execution.status = ExecutionStatus.PENDING;
    execution.createdAt = now;
    execution.updatedAt = now;
    execution.nextPollAt = now;
    execution.parameters =
        request.parameterValues() == null ? Map.of() : new HashMap<>(request.parameterValues());
    execution.timeWindow = request.timeWindow();
    execution.traceparent = StoredText.of(trace);
    String message =
        request.amcExecutionId() == null
            ? "to be submitted"
            : "tracking an existing remote execution";
    // The event reads its attempt and remote id from the row, so the row is flushed first; a
    // violation of the one-row-per-remote-run index surfaces here.
    return execution
        .<WorkflowExecution>persist()
        .call(Panache::flush)
        .call(
            () ->
                Panache.getSession()
                    .chain(
                        session ->
                            EventRows.insert(
                                session,
                                id,
                                now,
                                EventType.REGISTERED,
                                null,
                                ExecutionStatus.PENDING,
                                message,
                                null)));
  }

  /**
   * A callback target must be one the notifications may reach (checked again at send time); the
   * batch's items are checked by the same rule.
   */
  static void validateCallback(ExecutionCallbacks callbacks, ExecutionRegistration request) {
    if (request.callbackUrl() != null) {
      callbacks
          .refusal(request.callbackUrl())
          .ifPresent(
              reason -> {
                throw ApiProblem.badRequest("callbackUrl: " + reason);
              });
    }
  }

  static void validate(ExecutionRegistration request) {
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
