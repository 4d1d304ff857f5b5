package io.executionpoller.simulator;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HTTP face of the simulator, faithful to the AMC notes: the five execution paths, the LwA token
 * endpoint, the four required headers, flat bodies, {code,details} errors, and presigned-style
 * result URLs that expire. Mounted under /simulator on the API port, only when enabled.
 */
@ApplicationScoped
class SimulatorRoutes {

  static final String PREFIX = "/simulator";
  private static final String EXECUTIONS = PREFIX + "/amc/reporting/:instanceId/workflowExecutions";
  private static final DateTimeFormatter AMC_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'");

  private final AmcSimulator simulator;
  private final SimulatorConfig config;
  private final Vertx vertx;
  private final byte[] signingKey = new byte[32];

  SimulatorRoutes(AmcSimulator simulator, SimulatorConfig config, Vertx vertx) {
    this.simulator = simulator;
    this.config = config;
    this.vertx = vertx;
    new SecureRandom().nextBytes(signingKey);
  }

  void register(@Observes Router router) {
    if (!config.enabled()) {
      return;
    }
    router.route(PREFIX + "/*").handler(BodyHandler.create().setBodyLimit(1024 * 1024));
    router.post(PREFIX + "/auth/o2/token").handler(this::token);
    router.post(EXECUTIONS).handler(ctx -> authorized(ctx, this::create));
    router.get(EXECUTIONS).handler(ctx -> authorized(ctx, this::list));
    router.get(EXECUTIONS + "/:executionId").handler(this::countedStatus);
    router.put(EXECUTIONS + "/:executionId").handler(ctx -> authorized(ctx, this::cancel));
    router
        .get(EXECUTIONS + "/:executionId/downloadUrls")
        .handler(ctx -> authorized(ctx, this::downloadUrls));
    router.get(PREFIX + "/s3/:executionId/:file").handler(this::s3Object);
  }

  // ---- LwA ----

  private void token(RoutingContext ctx) {
    var form = ctx.request().formAttributes();
    if (!"refresh_token".equals(form.get("grant_type"))) {
      oauthError(ctx, 400, "unsupported_grant_type", "grant_type must be refresh_token");
      return;
    }
    Optional<String> token =
        simulator.issueToken(
            form.get("client_id"), form.get("client_secret"), form.get("refresh_token"));
    if (token.isEmpty()) {
      boolean clientOk = config.clientId().equals(form.get("client_id"));
      if (clientOk && config.clientSecret().equals(form.get("client_secret"))) {
        oauthError(
            ctx,
            400,
            "invalid_grant",
            "The request has an invalid grant parameter : refresh_token");
      } else {
        oauthError(ctx, 401, "invalid_client", "Client authentication failed");
      }
      return;
    }
    json(
        ctx,
        200,
        new JsonObject()
            .put("access_token", token.get())
            .put("token_type", "bearer")
            .put("expires_in", config.tokenLifetime().toSeconds())
            .put("refresh_token", config.refreshToken()));
  }

  // ---- AMC ----

  private void authorized(RoutingContext ctx, Consumer<RoutingContext> handler) {
    String authorization = ctx.request().getHeader("Authorization");
    String token =
        authorization != null && authorization.startsWith("Bearer ")
            ? authorization.substring(7)
            : null;
    if (token == null || !simulator.isValidToken(token)) {
      amcError(ctx, 401, "401", "Unauthorized. Token expired or invalid");
      return;
    }
    for (String header :
        List.of(
            "Amazon-Advertising-API-ClientId",
            "Amazon-Advertising-API-AdvertiserId",
            "Amazon-Advertising-API-MarketplaceId")) {
      String value = ctx.request().getHeader(header);
      if (value == null || value.isBlank()) {
        amcError(ctx, 400, "400", "Missing required header " + header);
        return;
      }
    }
    if (!config.clientId().equals(ctx.request().getHeader("Amazon-Advertising-API-ClientId"))) {
      amcError(ctx, 401, "401", "Unknown client id");
      return;
    }
    // AMC answers after a while; the latency makes concurrency observable.
    long delay = simulator.latency().toMillis();
    if (delay <= 0) {
      handler.accept(ctx);
    } else {
      vertx.setTimer(delay, id -> handler.accept(ctx));
    }
  }

  private void create(RoutingContext ctx) {
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (RuntimeException e) {
      body = null;
    }
    if (body == null) {
      amcError(ctx, 400, "400", "Request body must be a JSON object");
      return;
    }
    String workflowId = body.getString("workflowId");
    JsonObject workflow = body.getJsonObject("workflow");
    String sqlQuery = workflow == null ? null : workflow.getString("sqlQuery");
    if ((workflowId == null) == (sqlQuery == null)) {
      amcError(ctx, 400, "400", "Exactly one of workflowId and workflow.sqlQuery is required");
      return;
    }
    SimulatedExecution execution =
        simulator.create(ctx.pathParam("instanceId"), workflowId, sqlQuery);
    json(ctx, 200, view(execution));
  }

  /** Status requests are counted in flight from arrival to the end of the answer. */
  private void countedStatus(RoutingContext ctx) {
    simulator.statusRequestStarted();
    ctx.addEndHandler(done -> simulator.statusRequestEnded());
    authorized(ctx, this::status);
  }

  private void status(RoutingContext ctx) {
    simulator
        .observe(ctx.pathParam("instanceId"), ctx.pathParam("executionId"))
        .ifPresentOrElse(
            execution -> json(ctx, 200, view(execution)),
            () -> amcError(ctx, 404, "404", "Workflow execution not found"));
  }

  private void list(RoutingContext ctx) {
    String minCreation = ctx.queryParams().get("minCreationTime");
    Instant since = null;
    if (minCreation != null) {
      try {
        since = LocalDateTime.parse(minCreation).toInstant(ZoneOffset.UTC);
      } catch (DateTimeParseException e) {
        amcError(ctx, 400, "400", "minCreationTime must be yyyy-MM-dd'T'HH:mm:ss");
        return;
      }
    }
    String workflowId = ctx.queryParams().get("workflowId");
    if (workflowId == null && since == null) {
      amcError(ctx, 422, "422", "minCreationTime is required when workflowId is not given");
      return;
    }
    JsonArray executions = new JsonArray();
    simulator.list(ctx.pathParam("instanceId"), workflowId, since).stream()
        .limit(100)
        .forEach(execution -> executions.add(view(execution)));
    json(ctx, 200, new JsonObject().put("executions", executions));
  }

  private void cancel(RoutingContext ctx) {
    JsonObject body = ctx.body().asJsonObject();
    if (body == null || !"CANCELLED".equals(body.getString("status"))) {
      amcError(ctx, 400, "400", "Only status CANCELLED may be set");
      return;
    }
    Optional<SimulatedExecution> found =
        simulator.find(ctx.pathParam("instanceId"), ctx.pathParam("executionId"));
    if (found.isEmpty()) {
      amcError(ctx, 404, "404", "Workflow execution not found");
    } else if (!simulator.cancel(found.get())) {
      amcError(ctx, 400, "400", "Workflow execution is not in a cancellable state");
    } else {
      json(ctx, 200, new JsonObject());
    }
  }

  private void downloadUrls(RoutingContext ctx) {
    Optional<SimulatedExecution> found =
        simulator.find(ctx.pathParam("instanceId"), ctx.pathParam("executionId"));
    if (found.isEmpty() || !"SUCCEEDED".equals(found.get().statusAt(simulator.now()))) {
      String id = ctx.pathParam("executionId");
      amcError(ctx, 404, "404", "Execution with ID " + id + " is unavailable for download.");
      return;
    }
    String base = ctx.request().scheme() + "://" + ctx.request().authority();
    long issued = simulator.now().getEpochSecond();
    String path = PREFIX + "/s3/" + found.get().id + "/part-00000.csv";
    String url =
        base
            + path
            + "?X-Amz-Date="
            + issued
            + "&X-Amz-Expires="
            + config.downloadUrlLifetime().toSeconds()
            + "&X-Amz-Signature="
            + sign(path, issued);
    json(
        ctx,
        200,
        new JsonObject()
            .put("downloadUrls", new JsonArray().add(url))
            .put("metadataDownloadUrls", new JsonArray())
            .putNull("nextToken"));
  }

  private void s3Object(RoutingContext ctx) {
    String path = ctx.request().path();
    String issued = ctx.queryParams().get("X-Amz-Date");
    String signature = ctx.queryParams().get("X-Amz-Signature");
    long issuedAt;
    try {
      issuedAt = Long.parseLong(issued);
    } catch (NumberFormatException e) {
      s3Denied(ctx, "Query-string authentication requires the X-Amz-Date parameter");
      return;
    }
    if (!sign(path, issuedAt).equals(signature)) {
      s3Denied(
          ctx, "The request signature we calculated does not match the signature you provided.");
      return;
    }
    if (simulator
        .now()
        .isAfter(Instant.ofEpochSecond(issuedAt).plus(config.downloadUrlLifetime()))) {
      s3Denied(ctx, "Request has expired");
      return;
    }
    SimulatedExecution execution =
        simulator.findAnywhere(ctx.pathParam("executionId")).orElse(null);
    if (execution == null) {
      s3Denied(ctx, "Access Denied");
      return;
    }
    StringBuilder csv = new StringBuilder("campaign_id,campaign_name,impressions,clicks\r\n");
    for (int row = 1; row <= execution.script.resultRows(); row++) {
      csv.append(row)
          .append(",\"Campaign ")
          .append(row)
          .append(", demo\",")
          .append(row * 1000L)
          .append(',')
          .append(row * 7L)
          .append("\r\n");
    }
    ctx.response().setStatusCode(200).putHeader("Content-Type", "text/csv").end(csv.toString());
  }

  // ---- bodies ----

  private JsonObject view(SimulatedExecution execution) {
    Instant now = simulator.now();
    JsonObject view =
        new JsonObject()
            .put("workflowExecutionId", execution.id)
            .put("workflowId", execution.workflowId)
            .put("status", execution.statusAt(now))
            .put("createTime", AMC_TIME.format(execution.createdAt.atOffset(ZoneOffset.UTC)))
            .put(
                "lastUpdatedTime",
                AMC_TIME.format(now.truncatedTo(ChronoUnit.SECONDS).atOffset(ZoneOffset.UTC)))
            .put(
                "expireTime",
                AMC_TIME.format(
                    execution.createdAt.plus(Duration.ofHours(24)).atOffset(ZoneOffset.UTC)))
            .put("workflowExecutionTimeoutSeconds", 21600)
            .put("timeWindowTimeZoneOriginal", "UTC")
            .put("parameterValues", new JsonObject());
    if (execution.finishedAt != null && execution.script.statusReason() != null) {
      view.put("statusReason", execution.script.statusReason());
    }
    return view;
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(body.encode());
  }

  private static void amcError(RoutingContext ctx, int status, String code, String details) {
    json(ctx, status, new JsonObject().put("code", code).put("details", details));
  }

  private static void oauthError(RoutingContext ctx, int status, String error, String description) {
    json(ctx, status, new JsonObject().put("error_description", description).put("error", error));
  }

  private static void s3Denied(RoutingContext ctx, String message) {
    String xml =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code><Message>"
            + message
            + "</Message></Error>";
    ctx.response()
        .setStatusCode(403)
        .putHeader("Content-Type", "application/xml")
        .end(Buffer.buffer(xml));
  }

  private String sign(String path, long issued) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(signingKey, "HmacSHA256"));
      return HexFormat.of()
          .formatHex(mac.doFinal((path + "|" + issued).getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
