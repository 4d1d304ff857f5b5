package io.executionpoller.simulator;

import static io.executionpoller.simulator.RequestReading.bool;
import static io.executionpoller.simulator.RequestReading.creationTime;
import static io.executionpoller.simulator.RequestReading.limit;
import static io.executionpoller.simulator.RequestReading.param;
import static io.executionpoller.simulator.RequestReading.zone;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;

/**
 * AMC's five execution operations (create, status, list, cancel, downloadUrls), each computing its
 * {@link Answer} from the request and the simulated executions.
 */
final class ExecutionOperations {

  private static final String ADVERTISER_HEADER = "Amazon-Advertising-API-AdvertiserId";

  /** downloadUrls lists at most this many URLs per answer (SPEC: maxItems 5). */
  private static final int URLS_PER_PAGE = 5;

  private final AmcSimulator simulator;
  private final RemoteExecutions executions;
  private final SimulatorConfig config;
  private final UrlSigner signer;

  ExecutionOperations(AmcSimulator simulator, SimulatorConfig config, UrlSigner signer) {
    this.simulator = simulator;
    this.executions = simulator.executions();
    this.config = config;
    this.signer = signer;
  }

  Answer create(RoutingContext ctx, boolean commit) {
    JsonObject body = RequestReading.jsonBody(ctx);
    if (body == null) {
      return Answer.error(400, "Request body must be a JSON object");
    }
    SimulatedExecution.Submission submission;
    try {
      submission = Submissions.read(body);
    } catch (BadRequest e) {
      return Answer.error(400, e.getMessage());
    }
    Optional<String> invalid = executions.invalidQuery(submission);
    if (invalid.isPresent()) {
      return Answer.error(400, invalid.get());
    }
    String instanceId = ctx.pathParam("instanceId");
    // A dry run is checked and answered like a create, and neither made nor counted (AMC: "without
    // consuming quotas").
    if (!commit || Boolean.TRUE.equals(body.getValue("dryRun"))) {
      return new Answer(200, view(executions.draft(instanceId, submission), false));
    }
    RemoteExecutions.QuotaChecked created =
        executions.createWithinQuotas(
            instanceId, ctx.request().getHeader(ADVERTISER_HEADER), submission);
    if (created.refusal() != null) {
      return Answer.error(429, created.refusal());
    }
    return new Answer(200, view(created.execution(), false));
  }

  Answer status(RoutingContext ctx, boolean commit) {
    boolean includeWorkflow;
    try {
      includeWorkflow = bool(ctx, "includeWorkflow", false);
    } catch (BadRequest e) {
      return Answer.error(400, e.getMessage());
    }
    return executions
        .find(ctx.pathParam("instanceId"), ctx.pathParam("executionId"))
        .map(execution -> new Answer(200, view(execution, includeWorkflow)))
        .orElseGet(() -> Answer.error(404, "Workflow execution not found"));
  }

  Answer list(RoutingContext ctx, boolean commit) {
    RemoteExecutions.ListQuery query;
    boolean includeWorkflow;
    try {
      ZoneId zone = zone(Optional.ofNullable(param(ctx, "timeZone")).orElse("UTC"), "timeZone");
      Instant min = creationTime(ctx, "minCreationTime", zone);
      Instant max = creationTime(ctx, "maxCreationTime", zone);
      String workflowId = param(ctx, "workflowId");
      if (workflowId == null && min == null) {
        return new Answer(
            422,
            new JsonObject()
                .put("code", "422")
                .put("details", "minCreationTime is required when workflowId is not given"));
      }
      includeWorkflow = bool(ctx, "includeWorkflow", false);
      query =
          new RemoteExecutions.ListQuery(
              ctx.pathParam("instanceId"),
              workflowId,
              min,
              max,
              bool(ctx, "includeCancelled", false),
              bool(ctx, "sortAscending", false),
              limit(ctx),
              PageTokens.cursor(param(ctx, "nextToken")));
    } catch (BadRequest e) {
      return Answer.error(400, e.getMessage());
    }
    RemoteExecutions.Page page = executions.list(query);
    JsonArray found = new JsonArray();
    page.executions().forEach(execution -> found.add(listedView(execution, includeWorkflow)));
    JsonObject body = new JsonObject().put("executions", found);
    if (page.next() != null) {
      body.put("nextToken", PageTokens.listToken(page.next()));
    }
    return new Answer(200, body);
  }

  Answer cancel(RoutingContext ctx, boolean commit) {
    JsonObject body = RequestReading.jsonBody(ctx);
    if (body == null || !"CANCELLED".equals(body.getValue("status"))) {
      return Answer.error(400, "Only status CANCELLED may be set");
    }
    Optional<SimulatedExecution> found =
        executions.find(ctx.pathParam("instanceId"), ctx.pathParam("executionId"));
    if (found.isEmpty()) {
      return Answer.error(404, "Workflow execution not found");
    }
    boolean cancelled =
        commit ? executions.cancel(found.get()) : executions.isCancellable(found.get());
    return cancelled
        ? new Answer(200, new JsonObject())
        : Answer.error(400, "Workflow execution is not in a cancellable state");
  }

  Answer downloadUrls(RoutingContext ctx, boolean commit) {
    Optional<SimulatedExecution> found =
        executions.find(ctx.pathParam("instanceId"), ctx.pathParam("executionId"));
    if (found.isEmpty() || !"SUCCEEDED".equals(found.get().statusAt(simulator.now()))) {
      String id = ctx.pathParam("executionId");
      return Answer.error(404, "Execution with ID " + id + " is unavailable for download.");
    }
    SimulatedExecution execution = found.get();
    List<ResultFile> files = executions.resultFiles(execution);
    int first;
    try {
      first = PageTokens.urlPageStart(param(ctx, "nextToken"), execution.id, files.size());
    } catch (BadRequest e) {
      return Answer.error(400, e.getMessage());
    }
    int end = Math.min(first + URLS_PER_PAGE, files.size());
    String base = ctx.request().scheme() + "://" + ctx.request().authority();
    long issued = simulator.now().getEpochSecond();
    JsonArray urls = new JsonArray();
    for (ResultFile file : files.subList(first, end)) {
      String path = SimulatorRoutes.PREFIX + "/s3/" + execution.id + "/" + file.name();
      urls.add(
          base
              + path
              + "?X-Amz-Date="
              + issued
              + "&X-Amz-Expires="
              + config.downloadUrlLifetime().toSeconds()
              + "&X-Amz-Signature="
              + signer.sign(path, issued));
    }
    JsonObject body =
        new JsonObject().put("downloadUrls", urls).put("metadataDownloadUrls", new JsonArray());
    if (end < files.size()) {
      body.put("nextToken", PageTokens.urlPageToken(execution.id, end));
    } else {
      body.putNull("nextToken");
    }
    return new Answer(200, body);
  }

  /** As a list answer shows it: as it stood the listing lag ago. */
  private JsonObject listedView(SimulatedExecution execution, boolean includeWorkflow) {
    JsonObject view = view(execution, includeWorkflow);
    Duration lag = simulator.listingLag();
    if (lag.isZero()) {
      return view;
    }
    String then = execution.statusAsOf(simulator.now().minus(lag));
    if (!then.equals(view.getString("status"))) {
      view.put("status", then).remove("statusReason");
    }
    return view;
  }

  private JsonObject view(SimulatedExecution execution, boolean includeWorkflow) {
    return ExecutionView.of(execution, includeWorkflow, simulator.now());
  }
}
