package io.executionpoller.simulator;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * HTTP face of the simulator, faithful to the AMC notes: the five execution paths, the LwA token
 * endpoint, the four required headers, flat bodies, {code,details} errors, and presigned-style
 * result URLs that expire, five to a page ({@link S3Objects} serves them). Mounted under /simulator
 * on the API port, only when enabled.
 *
 * <p>Every AMC call goes: count on arrival, authorize, wait the configured latency, then either the
 * real answer or one injected {@link Fault}. Operations compute their answer as an {@link Answer}
 * rather than writing it, so a fault can replace, truncate or drop it.
 */
@ApplicationScoped
class SimulatorRoutes {

  static final String PREFIX = "/simulator";
  private static final String EXECUTIONS = PREFIX + "/amc/reporting/:instanceId/workflowExecutions";
  private static final String ADVERTISER_HEADER = "Amazon-Advertising-API-AdvertiserId";
  private static final DateTimeFormatter AMC_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'");
  private static final DateTimeFormatter REQUEST_TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss").withResolverStyle(ResolverStyle.STRICT);
  private static final Set<String> TIME_WINDOW_TYPES =
      Set.of(
          "EXPLICIT",
          "MOST_RECENT_DAY",
          "MOST_RECENT_WEEK",
          "CURRENT_MONTH",
          "PREVIOUS_MONTH",
          "ALL");
  private static final int MAX_PAGE = 100;
  private static final String TOKEN_PREFIX = "v1:";
  private static final String URL_TOKEN_PREFIX = "u1:";

  /** downloadUrls lists at most this many URLs per answer (SPEC: maxItems 5). */
  private static final int URLS_PER_PAGE = 5;

  private static final String HTML_ERROR_PAGE =
      "<!DOCTYPE html>\n<html><head><title>Service Unavailable</title></head><body>"
          + "<h1>Service Unavailable</h1><p>The server is temporarily unable to service your"
          + " request. Please try again later.</p></body></html>\n";

  /** {@link Fault#ERROR_500_BINARY}'s body: NULs, invalid UTF-8 and an encoded lone surrogate. */
  private static final byte[] BINARY_ERROR_BODY = binaryErrorBody();

  private final AmcSimulator simulator;
  private final SimulatorConfig config;
  private final Vertx vertx;
  private final UrlSigner signer = new UrlSigner();
  private final S3Objects s3;

  /** The real answer of an operation, before any fault changes it. */
  private record Answer(int status, JsonObject body) {}

  /**
   * An AMC operation. With {@code commit} false a create or cancel only says what it would answer
   * (a TRUNCATED answer must not change anything); reads ignore it.
   */
  @FunctionalInterface
  private interface Action {
    Answer perform(RoutingContext ctx, boolean commit);
  }

  /** A request the simulator refuses with 400, thrown while reading parameters. */
  private static final class BadRequest extends RuntimeException {
    BadRequest(String message) {
      super(message, null, false, false);
    }
  }

  SimulatorRoutes(AmcSimulator simulator, SimulatorConfig config, Vertx vertx) {
    this.simulator = simulator;
    this.config = config;
    this.vertx = vertx;
    this.s3 = new S3Objects(simulator, config, vertx, signer);
  }

  void register(@Observes Router router) {
    if (!config.enabled()) {
      return;
    }
    router.route(PREFIX + "/*").handler(BodyHandler.create().setBodyLimit(1024 * 1024));
    router.post(PREFIX + "/auth/o2/token").handler(this::token);
    router
        .post(EXECUTIONS)
        .handler(ctx -> amc(ctx, Operation.CREATE, SimulatorRoutes::createKey, this::create));
    router
        .get(EXECUTIONS)
        .handler(ctx -> amc(ctx, Operation.LIST, c -> c.pathParam("instanceId"), this::list));
    router.get(EXECUTIONS + "/:executionId").handler(this::countedStatus);
    router
        .put(EXECUTIONS + "/:executionId")
        .handler(ctx -> amc(ctx, Operation.CANCEL, SimulatorRoutes::executionKey, this::cancel));
    router
        .get(EXECUTIONS + "/:executionId/downloadUrls")
        .handler(
            ctx ->
                amc(
                    ctx,
                    Operation.DOWNLOAD_URLS,
                    SimulatorRoutes::executionKey,
                    this::downloadUrls));
    router.get(PREFIX + "/s3/:executionId/:file").handler(s3::get);
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
      boolean clientOk =
          config.clientId().equals(form.get("client_id"))
              && config.clientSecret().equals(form.get("client_secret"));
      String error =
          simulator.credentialRejection().orElse(clientOk ? "invalid_grant" : "invalid_client");
      if ("invalid_grant".equals(error)) {
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

  // ---- AMC: authorization, latency, faults ----

  private void amc(
      RoutingContext ctx,
      Operation operation,
      Function<RoutingContext, String> key,
      Action action) {
    simulator.recordArrival(ctx.request().getHeader(ADVERTISER_HEADER));
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
            ADVERTISER_HEADER,
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
    long delay =
        simulator.latency().toMillis()
            + (operation == Operation.CREATE ? config.createLatency().toMillis() : 0);
    if (delay <= 0) {
      answer(ctx, operation, token, key.apply(ctx), action);
    } else {
      vertx.setTimer(delay, id -> answer(ctx, operation, token, key.apply(ctx), action));
    }
  }

  private void answer(
      RoutingContext ctx, Operation operation, String token, String key, Action action) {
    Fault fault = simulator.nextFault(operation, key).orElse(null);
    if (fault != Fault.TOKEN_EXPIRED) {
      simulator.recordCall(operation, key);
    }
    if (fault == null) {
      write(ctx, action.perform(ctx, true));
      return;
    }
    switch (fault) {
      case THROTTLE_RETRY_AFTER -> {
        long millis = simulator.retryAfter().toMillis();
        ctx.response().putHeader("Retry-After", String.valueOf((millis + 999) / 1000));
        faultAnswer(
            ctx, 429, new JsonObject().put("code", "429").put("details", "Too Many Requests"));
      }
      case THROTTLE_MESSAGE -> {
        ctx.response().putHeader("amazon-advertising-api-throttled", "true");
        faultAnswer(ctx, 429, new JsonObject().put("message", "Too Many Requests"));
      }
      case THROTTLE_CODE ->
          faultAnswer(
              ctx, 429, new JsonObject().put("code", "429").put("details", "Rate exceeded"));
      case ERROR_500 ->
          faultAnswer(
              ctx,
              500,
              new JsonObject().put("code", "500").put("details", "Internal Server Error"));
      case ERROR_500_BINARY -> {
        ctx.response().putHeader("x-amzn-RequestId", UUID.randomUUID().toString());
        ctx.response()
            .setStatusCode(500)
            .putHeader("Content-Type", "application/json")
            .end(Buffer.buffer(BINARY_ERROR_BODY));
      }
      case ERROR_502 -> faultAnswer(ctx, 502, new JsonObject().put("message", "Bad Gateway"));
      case ERROR_504 ->
          faultAnswer(ctx, 504, new JsonObject().put("message", "Endpoint request timed out"));
      case HANG -> hang(ctx);
      case RESET -> drop(ctx);
      case MALFORMED ->
          ctx.response()
              .setStatusCode(200)
              .putHeader("Content-Type", "text/html; charset=UTF-8")
              .end(HTML_ERROR_PAGE);
      case TRUNCATED -> {
        // The real status and the first half of the real body: a complete HTTP answer whose JSON
        // breaks off, as a proxy cutting the upstream short would deliver it.
        Answer real = action.perform(ctx, false);
        String encoded = real.body().encode();
        ctx.response()
            .setStatusCode(real.status())
            .putHeader("Content-Type", "application/json")
            .end(encoded.substring(0, encoded.length() / 2));
      }
      case TOKEN_EXPIRED -> {
        simulator.invalidateToken(token);
        faultAnswer(
            ctx, 401, new JsonObject().put("code", "401").put("details", "Authentication failed"));
      }
      case LOST_CREATE -> {
        action.perform(ctx, true);
        drop(ctx);
      }
      case HELD -> hold(ctx, action);
    }
  }

  private static byte[] binaryErrorBody() {
    byte[] start =
        "{\"code\":\"500\",\"details\":\"Internal\\u0000Server Error \""
            .getBytes(StandardCharsets.US_ASCII);
    byte[] binary = {0, 0, (byte) 0xff, (byte) 0xfe, (byte) 0xc3, (byte) 0xed, (byte) 0xa0, 0x01};
    byte[] end = "}".getBytes(StandardCharsets.US_ASCII);
    byte[] body = new byte[start.length + binary.length + end.length];
    System.arraycopy(start, 0, body, 0, start.length);
    System.arraycopy(binary, 0, body, start.length, binary.length);
    System.arraycopy(end, 0, body, start.length + binary.length, end.length);
    return body;
  }

  private static void faultAnswer(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().putHeader("x-amzn-RequestId", UUID.randomUUID().toString());
    json(ctx, status, body);
  }

  /** Ends the exchange without an answer: closes the connection (HTTP/2: resets the stream). */
  static void drop(RoutingContext ctx) {
    if (ctx.request().version() == HttpVersion.HTTP_2) {
      ctx.response().reset();
    } else {
      ctx.request().connection().close();
    }
  }

  /**
   * Holds the request unanswered. A timer, not a sleep, bounds it, and the simulator can release it
   * on reset(); a client that gives up and closes its side ends it at once.
   */
  private void hang(RoutingContext ctx) {
    Context context = vertx.getOrCreateContext();
    // Closing must happen on the request's own event loop, whichever thread calls reset().
    Runnable release = () -> context.runOnContext(v -> drop(ctx));
    long timer =
        vertx.setTimer(
            simulator.hangFor().toMillis(),
            id -> {
              simulator.hangEnded(release);
              drop(ctx);
            });
    simulator.hangStarted(release);
    ctx.addEndHandler(
        done -> {
          vertx.cancelTimer(timer);
          simulator.hangEnded(release);
        });
  }

  /**
   * Holds the request without effect until the test releases it, then performs and answers it.
   * Bounded like a HANG; a client that gives up ends it at once, and then nothing is done.
   */
  private void hold(RoutingContext ctx, Action action) {
    Context context = vertx.getOrCreateContext();
    AtomicBoolean over = new AtomicBoolean();
    HeldCall held = new HeldCall(ctx, action, context, over);
    held.timer =
        vertx.setTimer(
            simulator.hangFor().toMillis(),
            id -> {
              if (over.compareAndSet(false, true)) {
                drop(ctx);
              }
            });
    ctx.addEndHandler(
        done -> {
          over.set(true);
          vertx.cancelTimer(held.timer);
          simulator.heldEnded(held);
        });
    simulator.heldStarted(held);
  }

  /** A call held by HELD; acts on the request's own event loop, whichever thread releases it. */
  private final class HeldCall implements HeldResponse {
    private final RoutingContext ctx;
    private final Action action;
    private final Context context;
    private final AtomicBoolean over;
    private volatile long timer;

    HeldCall(RoutingContext ctx, Action action, Context context, AtomicBoolean over) {
      this.ctx = ctx;
      this.action = action;
      this.context = context;
      this.over = over;
    }

    @Override
    public void resume() {
      context.runOnContext(
          v -> {
            if (over.compareAndSet(false, true)) {
              vertx.cancelTimer(timer);
              write(ctx, action.perform(ctx, true));
            }
          });
    }

    @Override
    public void abort() {
      context.runOnContext(
          v -> {
            if (over.compareAndSet(false, true)) {
              vertx.cancelTimer(timer);
              drop(ctx);
            }
          });
    }
  }

  private static String executionKey(RoutingContext ctx) {
    return ctx.pathParam("executionId");
  }

  /** Create faults are keyed like scripts: the workflowId, else the ad hoc query text. */
  private static String createKey(RoutingContext ctx) {
    try {
      JsonObject body = ctx.body().asJsonObject();
      if (body == null) {
        return null;
      }
      String workflowId = body.getString("workflowId");
      if (workflowId != null) {
        return workflowId;
      }
      JsonObject workflow = body.getJsonObject("workflow");
      return workflow == null ? null : workflow.getString("sqlQuery");
    } catch (RuntimeException e) {
      return null;
    }
  }

  // ---- AMC operations ----

  private Answer create(RoutingContext ctx, boolean commit) {
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (RuntimeException e) {
      body = null;
    }
    if (body == null) {
      return error(400, "Request body must be a JSON object");
    }
    SimulatedExecution.Submission submission;
    try {
      submission = submission(body);
    } catch (BadRequest e) {
      return error(400, e.getMessage());
    }
    String instanceId = ctx.pathParam("instanceId");
    SimulatedExecution execution =
        commit ? simulator.create(instanceId, submission) : simulator.draft(instanceId, submission);
    return new Answer(200, view(execution, false));
  }

  /** Reads and checks the create body as AMC would; throws BadRequest. */
  private static SimulatedExecution.Submission submission(JsonObject body) {
    String workflowId = string(body, "workflowId");
    Object workflowField = body.getValue("workflow");
    if (workflowField != null && !(workflowField instanceof JsonObject)) {
      throw new BadRequest("workflow must be an object");
    }
    String sqlQuery = workflowField == null ? null : string((JsonObject) workflowField, "sqlQuery");
    if ((workflowId == null) == (sqlQuery == null)) {
      throw new BadRequest("Exactly one of workflowId and workflow.sqlQuery is required");
    }
    Map<String, String> parameterValues = new LinkedHashMap<>();
    Object parameters = body.getValue("parameterValues");
    if (parameters != null) {
      if (!(parameters instanceof JsonObject)) {
        throw new BadRequest("parameterValues must be an object of strings");
      }
      for (Map.Entry<String, Object> entry : (JsonObject) parameters) {
        if (!(entry.getValue() instanceof String)) {
          throw new BadRequest("parameterValues." + entry.getKey() + " must be a string");
        }
        parameterValues.put(entry.getKey(), (String) entry.getValue());
      }
    }
    String type = string(body, "timeWindowType");
    String start = string(body, "timeWindowStart");
    String end = string(body, "timeWindowEnd");
    String timeZone = string(body, "timeWindowTimeZone");
    if (type != null && !TIME_WINDOW_TYPES.contains(type)) {
      throw new BadRequest("timeWindowType must be one of " + new TreeSet<>(TIME_WINDOW_TYPES));
    }
    boolean explicit = "EXPLICIT".equals(type);
    if (explicit != (start != null && end != null)
        || (!explicit && (start != null || end != null))) {
      throw new BadRequest(
          "timeWindowStart and timeWindowEnd are required with EXPLICIT, and only with it");
    }
    if (timeZone != null) {
      zone(timeZone, "timeWindowTimeZone");
    }
    if (explicit) {
      localTime(start, "timeWindowStart");
      localTime(end, "timeWindowEnd");
    }
    return new SimulatedExecution.Submission(
        workflowId, sqlQuery, parameterValues, type, start, end, timeZone);
  }

  /** Status requests are counted in flight from arrival to the end of the answer. */
  private void countedStatus(RoutingContext ctx) {
    simulator.statusRequestStarted();
    ctx.addEndHandler(done -> simulator.statusRequestEnded());
    amc(ctx, Operation.STATUS, SimulatorRoutes::executionKey, this::status);
  }

  private Answer status(RoutingContext ctx, boolean commit) {
    boolean includeWorkflow;
    try {
      includeWorkflow = bool(ctx, "includeWorkflow", false);
    } catch (BadRequest e) {
      return error(400, e.getMessage());
    }
    return simulator
        .find(ctx.pathParam("instanceId"), ctx.pathParam("executionId"))
        .map(execution -> new Answer(200, view(execution, includeWorkflow)))
        .orElseGet(() -> error(404, "Workflow execution not found"));
  }

  private Answer list(RoutingContext ctx, boolean commit) {
    AmcSimulator.ListQuery query;
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
          new AmcSimulator.ListQuery(
              ctx.pathParam("instanceId"),
              workflowId,
              min,
              max,
              bool(ctx, "includeCancelled", false),
              bool(ctx, "sortAscending", false),
              limit(ctx),
              cursor(param(ctx, "nextToken")));
    } catch (BadRequest e) {
      return error(400, e.getMessage());
    }
    AmcSimulator.Page page = simulator.list(query);
    JsonArray executions = new JsonArray();
    page.executions().forEach(execution -> executions.add(view(execution, includeWorkflow)));
    JsonObject body = new JsonObject().put("executions", executions);
    if (page.next() != null) {
      body.put("nextToken", token(page.next()));
    }
    return new Answer(200, body);
  }

  private Answer cancel(RoutingContext ctx, boolean commit) {
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (RuntimeException e) {
      body = null;
    }
    if (body == null || !"CANCELLED".equals(body.getValue("status"))) {
      return error(400, "Only status CANCELLED may be set");
    }
    Optional<SimulatedExecution> found =
        simulator.find(ctx.pathParam("instanceId"), ctx.pathParam("executionId"));
    if (found.isEmpty()) {
      return error(404, "Workflow execution not found");
    }
    boolean cancelled =
        commit ? simulator.cancel(found.get()) : simulator.isCancellable(found.get());
    return cancelled
        ? new Answer(200, new JsonObject())
        : error(400, "Workflow execution is not in a cancellable state");
  }

  private Answer downloadUrls(RoutingContext ctx, boolean commit) {
    Optional<SimulatedExecution> found =
        simulator.find(ctx.pathParam("instanceId"), ctx.pathParam("executionId"));
    if (found.isEmpty() || !"SUCCEEDED".equals(found.get().statusAt(simulator.now()))) {
      String id = ctx.pathParam("executionId");
      return error(404, "Execution with ID " + id + " is unavailable for download.");
    }
    SimulatedExecution execution = found.get();
    List<ResultFile> files = simulator.resultFiles(execution);
    int first;
    try {
      first = urlPageStart(param(ctx, "nextToken"), execution.id, files.size());
    } catch (BadRequest e) {
      return error(400, e.getMessage());
    }
    int end = Math.min(first + URLS_PER_PAGE, files.size());
    String base = ctx.request().scheme() + "://" + ctx.request().authority();
    long issued = simulator.now().getEpochSecond();
    JsonArray urls = new JsonArray();
    for (ResultFile file : files.subList(first, end)) {
      String path = PREFIX + "/s3/" + execution.id + "/" + file.name();
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
      body.put("nextToken", urlPageToken(execution.id, end));
    } else {
      body.putNull("nextToken");
    }
    return new Answer(200, body);
  }

  // ---- query parameters ----

  private static String param(RoutingContext ctx, String name) {
    String value = ctx.queryParams().get(name);
    return value == null || value.isEmpty() ? null : value;
  }

  private static boolean bool(RoutingContext ctx, String name, boolean fallback) {
    String value = param(ctx, name);
    if (value == null) {
      return fallback;
    }
    if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
      return Boolean.parseBoolean(value);
    }
    throw new BadRequest(name + " must be true or false");
  }

  private static int limit(RoutingContext ctx) {
    String value = param(ctx, "limit");
    if (value == null) {
      return MAX_PAGE;
    }
    try {
      int limit = Integer.parseInt(value);
      if (limit >= 1 && limit <= MAX_PAGE) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // Refused below like an out-of-range number.
    }
    throw new BadRequest("limit must be a number from 1 to " + MAX_PAGE);
  }

  private static Instant creationTime(RoutingContext ctx, String name, ZoneId zone) {
    String value = param(ctx, name);
    return value == null ? null : localTime(value, name).atZone(zone).toInstant();
  }

  private static LocalDateTime localTime(String value, String name) {
    try {
      return LocalDateTime.parse(value, REQUEST_TIME);
    } catch (DateTimeParseException e) {
      throw new BadRequest(name + " must be yyyy-MM-dd'T'HH:mm:ss");
    }
  }

  private static ZoneId zone(String value, String name) {
    try {
      return ZoneId.of(value);
    } catch (DateTimeException e) {
      throw new BadRequest(name + " is not a time zone: " + value);
    }
  }

  private static String string(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (value != null && !(value instanceof String)) {
      throw new BadRequest(field + " must be a string");
    }
    return (String) value;
  }

  /** nextToken is opaque to clients; inside it names where the previous page ended. */
  private static String token(AmcSimulator.Cursor cursor) {
    String plain =
        TOKEN_PREFIX
            + cursor.createdAt().getEpochSecond()
            + ":"
            + cursor.createdAt().getNano()
            + ":"
            + cursor.sequence();
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(plain.getBytes(StandardCharsets.UTF_8));
  }

  private static AmcSimulator.Cursor cursor(String token) {
    if (token == null) {
      return null;
    }
    try {
      String plain = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      if (plain.startsWith(TOKEN_PREFIX)) {
        String[] parts = plain.substring(TOKEN_PREFIX.length()).split(":");
        if (parts.length == 3) {
          return new AmcSimulator.Cursor(
              Instant.ofEpochSecond(Long.parseLong(parts[0]), Long.parseLong(parts[1])),
              Long.parseLong(parts[2]));
        }
      }
    } catch (IllegalArgumentException | DateTimeException e) {
      // Refused below.
    }
    throw new BadRequest("Invalid nextToken");
  }

  /**
   * A downloadUrls nextToken names the execution and the first file of the next page, so a token
   * cannot page through another execution's files.
   */
  private static String urlPageToken(String executionId, int first) {
    String plain = URL_TOKEN_PREFIX + executionId + ":" + first;
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(plain.getBytes(StandardCharsets.UTF_8));
  }

  private static int urlPageStart(String token, String executionId, int files) {
    if (token == null) {
      return 0;
    }
    try {
      String plain = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      String expected = URL_TOKEN_PREFIX + executionId + ":";
      if (plain.startsWith(expected)) {
        int first = Integer.parseInt(plain.substring(expected.length()));
        if (first > 0 && first < files) {
          return first;
        }
      }
    } catch (IllegalArgumentException e) {
      // Refused below.
    }
    throw new BadRequest("Invalid nextToken");
  }

  // ---- bodies ----

  private JsonObject view(SimulatedExecution execution, boolean includeWorkflow) {
    Instant now = simulator.now();
    SimulatedExecution.Submission submission = execution.submission;
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
            .put("timeWindowType", submission.timeWindowType())
            .put("timeWindowTimeZoneOriginal", submission.timeWindowTimeZone())
            .put(
                "parameterValues",
                new JsonObject(new LinkedHashMap<>(submission.parameterValues())));
    // As EXEC shows: the bounds as the client gave them, and converted to UTC.
    putWindowBound(view, "timeWindowStart", submission.timeWindowStart(), submission);
    putWindowBound(view, "timeWindowEnd", submission.timeWindowEnd(), submission);
    if (includeWorkflow && submission.sqlQuery() != null) {
      view.put("sqlQuery", submission.sqlQuery())
          .put("workflow", new JsonObject().put("sqlQuery", submission.sqlQuery()));
    }
    String reason = execution.script.reasonFor(execution.id, execution.workflowId);
    if (execution.finishedAt != null && reason != null) {
      view.put("statusReason", reason);
    }
    return view;
  }

  private static void putWindowBound(
      JsonObject view, String field, String local, SimulatedExecution.Submission submission) {
    if (local == null) {
      return;
    }
    view.put(field + "Original", local);
    try {
      Instant utc =
          LocalDateTime.parse(local, REQUEST_TIME)
              .atZone(ZoneId.of(submission.timeWindowTimeZone()))
              .toInstant();
      view.put(field, AMC_TIME.format(utc.atOffset(ZoneOffset.UTC)));
    } catch (DateTimeException e) {
      // Checked on create; preloaded executions carry no window.
    }
  }

  private static void write(RoutingContext ctx, Answer answer) {
    json(ctx, answer.status(), answer.body());
  }

  private static Answer error(int status, String details) {
    return new Answer(
        status, new JsonObject().put("code", String.valueOf(status)).put("details", details));
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
}
