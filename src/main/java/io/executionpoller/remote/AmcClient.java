package io.executionpoller.remote;

import io.executionpoller.remote.guard.RemoteGate;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpRequest;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The AMC workflow-execution API. It only reads and returns records: every failure becomes a {@link
 * RemoteCallException} (or a {@link CallDeferred} when the call was never sent), every request has
 * a whole-request deadline and a read is repeated after a transient failure ({@link CallGuards},
 * SmallRye Fault Tolerance), and a 401 or 403 is answered once with a fresh token before it counts
 * as a failure. Every call passes the {@link RemoteGate}: the instance's breaker, the account's
 * rate limit.
 */
@ApplicationScoped
public class AmcClient {

  private static final DateTimeFormatter LIST_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");
  static final String CLIENT_ID_HEADER = "Amazon-Advertising-API-ClientId";
  static final String ADVERTISER_HEADER = "Amazon-Advertising-API-AdvertiserId";
  static final String MARKETPLACE_HEADER = "Amazon-Advertising-API-MarketplaceId";

  private final WebClient client;
  private final AccessTokenProvider tokens;
  private final AmcConfig config;
  private final RemoteGate gate;
  private final RequestTiming timing;
  private final AmcEndpoints endpoints;
  private final CallGuards guards;

  AmcClient(
      @AmcHttp WebClient client,
      AccessTokenProvider tokens,
      AmcConfig config,
      RemoteGate gate,
      RequestTiming timing,
      AmcEndpoints endpoints,
      CallGuards guards) {
    this.client = client;
    this.tokens = tokens;
    this.config = config;
    this.gate = gate;
    this.timing = timing;
    this.endpoints = endpoints;
    this.guards = guards;
  }

  /**
   * Asks the instance's circuit breaker for one logical call. Submissions take it first, so that
   * nothing (not even the record of an attempt) is written when the call could not go anyway.
   */
  public Uni<RemoteGate.Admission> admit(RemoteTarget target) {
    return allowedEndpoint("remote call", target)
        .chain(() -> gate.admit(baseUrl(target), target.instanceId()));
  }

  /** Hands back an admission whose call will not be made (the claim was lost meanwhile). */
  public void release(RemoteGate.Admission admission) {
    gate.release(admission);
  }

  /** Creates a remote execution. Never repeated automatically: a repeat could create two. */
  public Uni<RemoteExecution> createExecution(
      RemoteGate.Admission admission, RemoteTarget target, CreateExecutionRequest request) {
    String url = executionsUrl(target);
    return guarded(
        admission,
        attempt(
            "create execution",
            target,
            token -> prepare(client.postAbs(url), target, token).sendJson(createBody(request)),
            RemoteExecutionParser::parseExecution),
        false);
  }

  /**
   * Sends the create with {@code dryRun: true}: AMC validates it and runs nothing (no quota is
   * spent), so it is safe to repeat like a read. A refusal fails with the AMC answer.
   */
  public Uni<RemoteExecution> validateExecution(
      RemoteTarget target, CreateExecutionRequest request) {
    String url = executionsUrl(target);
    return read(
        "validate execution",
        target,
        token ->
            prepare(client.postAbs(url), target, token)
                .sendJson(createBody(request).put("dryRun", true)),
        RemoteExecutionParser::parseExecution);
  }

  public Uni<RemoteExecution> getExecution(RemoteTarget target, String executionId) {
    String url = executionUrl(target, executionId);
    return read(
        "get execution",
        target,
        token -> prepare(client.getAbs(url), target, token).send(),
        RemoteExecutionParser::parseExecution);
  }

  /**
   * Lists the instance's executions matching {@code query}, oldest first, following nextToken for
   * at most {@code query.maxPages()} pages (a remote that pages forever cannot hold us).
   */
  public Uni<List<ListedExecution>> listExecutions(RemoteTarget target, ListQuery query) {
    return admit(target)
        .chain(
            admission -> collectPages(admission, target, query, true, null, 1, new ArrayList<>()))
        .map(ExecutionPage::executions);
  }

  /**
   * The status of every execution of the instance created since {@code createdSince}, oldest first,
   * in at most {@code maxPages} pages of 100 and without the query texts: one call answers up to
   * 100 status checks. The answer's nextToken is not null when pages were left unread.
   */
  public Uni<ExecutionPage> listStatuses(RemoteTarget target, Instant createdSince, int maxPages) {
    ListQuery query = new ListQuery(null, createdSince, maxPages);
    return admit(target)
        .chain(
            admission -> collectPages(admission, target, query, false, null, 1, new ArrayList<>()));
  }

  private Uni<ExecutionPage> collectPages(
      RemoteGate.Admission admission,
      RemoteTarget target,
      ListQuery query,
      boolean includeWorkflow,
      String nextToken,
      int page,
      List<ListedExecution> found) {
    String url = listUrl(target, query, includeWorkflow, nextToken);
    return guarded(
            admission,
            attempt(
                "list executions",
                target,
                token -> prepare(client.getAbs(url), target, token).send(),
                RemoteExecutionParser::parseExecutionPage),
            true)
        .chain(
            answer -> {
              found.addAll(answer.executions());
              boolean more = answer.nextToken() != null && page < query.maxPages();
              return more
                  ? collectPages(
                      admission,
                      target,
                      query,
                      includeWorkflow,
                      answer.nextToken(),
                      page + 1,
                      found)
                  : Uni.createFrom().item(new ExecutionPage(found, answer.nextToken()));
            });
  }

  public Uni<Void> cancelExecution(RemoteTarget target, String executionId) {
    String url = executionUrl(target, executionId);
    JsonObject body = new JsonObject().put("status", "CANCELLED");
    return read(
            "cancel execution",
            target,
            token -> prepare(client.putAbs(url), target, token).sendJsonObject(body),
            answer -> answer)
        .replaceWithVoid();
  }

  public Uni<DownloadUrls> getDownloadUrls(RemoteTarget target, String executionId) {
    return getDownloadUrls(target, executionId, null);
  }

  /** One page of a result's download URLs; {@code nextToken} is null for the first page. */
  public Uni<DownloadUrls> getDownloadUrls(
      RemoteTarget target, String executionId, String nextToken) {
    String url =
        executionUrl(target, executionId)
            + "/downloadUrls"
            + (nextToken == null
                ? ""
                : "?nextToken=" + URLEncoder.encode(nextToken, StandardCharsets.UTF_8));
    return read(
        "get download urls",
        target,
        token -> prepare(client.getAbs(url), target, token).send(),
        RemoteExecutionParser::parseDownloadUrls);
  }

  /** A call that is safe to repeat (a read, or a cancel): admitted, repeated if transient. */
  private <T> Uni<T> read(
      String operation,
      RemoteTarget target,
      Function<String, Uni<HttpResponse<Buffer>>> send,
      Function<String, T> parser) {
    return admit(target)
        .chain(admission -> guarded(admission, attempt(operation, target, send, parser), true));
  }

  /**
   * One logical call: repeated after a transient failure when it is safe to repeat (the library's
   * retry, see {@link CallGuards}), and reported to the instance's breaker when it ends.
   */
  private <T> Uni<T> guarded(RemoteGate.Admission admission, Uni<T> attempt, boolean repeatable) {
    Uni<T> call = repeatable ? guards.repeatedIfTransient(() -> attempt) : attempt;
    return call.invoke(() -> gate.succeeded(admission))
        .onFailure()
        .invoke(failure -> gate.failed(admission, failure))
        // Abandoned at the check's deadline: no answer in time, which is what an outage looks
        // like; it must reach the breaker, or a hanging AMC would never open it.
        .onCancellation()
        .invoke(
            () ->
                gate.failed(
                    admission,
                    RemoteCallException.of(
                        "remote call", RemoteCallException.Kind.TIMEOUT, "abandoned", null)));
  }

  /**
   * One HTTP attempt, built afresh on every subscription (so a repeat takes a new rate-limit token
   * and the current access token): pace, token, send with a deadline, one retry on 401/403, parse.
   */
  private <T> Uni<T> attempt(
      String operation,
      RemoteTarget target,
      Function<String, Uni<HttpResponse<Buffer>>> send,
      Function<String, T> parser) {
    Function<String, Uni<HttpResponse<Buffer>>> sendWithDeadline =
        token -> timing.time(operation, guards.withinDeadline(() -> send.apply(token)));
    return Uni.createFrom()
        .deferred(
            () ->
                allowedEndpoint(operation, target)
                    .chain(() -> gate.pace(target.advertiserId(), target.instanceId()))
                    .chain(tokens::token)
                    .chain(
                        token ->
                            sendWithDeadline
                                .apply(token)
                                .chain(
                                    response ->
                                        retryOnceIfRefused(token, response, sendWithDeadline)))
                    .onFailure(
                        failure ->
                            !(failure instanceof RemoteCallException)
                                && !(failure instanceof CallDeferred))
                    .transform(failure -> RemoteFailures.transport(operation, failure))
                    .map(response -> successBody(operation, response))
                    .map(body -> parse(operation, body, parser)));
  }

  /**
   * Fails, before any request and before a token is fetched, when the target's base URL is not an
   * allowed AMC endpoint (say an instance row written before the allow-list existed): the Login
   * with Amazon token must never reach another host.
   */
  private Uni<Void> allowedEndpoint(String operation, RemoteTarget target) {
    return endpoints
        .refusal(baseUrl(target))
        .map(
            reason ->
                Uni.createFrom()
                    .<Void>failure(
                        RemoteCallException.of(
                            operation, RemoteCallException.Kind.ENDPOINT_REFUSED, reason, null)))
        .orElseGet(() -> Uni.createFrom().voidItem());
  }

  private Uni<HttpResponse<Buffer>> retryOnceIfRefused(
      String usedToken,
      HttpResponse<Buffer> response,
      Function<String, Uni<HttpResponse<Buffer>>> send) {
    // AMC answers an expired token with 401 or 403; one fresh token settles which it was.
    if (response.statusCode() != 401 && response.statusCode() != 403) {
      return Uni.createFrom().item(response);
    }
    return tokens.replaceRejected(usedToken).chain(send::apply);
  }

  private HttpRequest<Buffer> prepare(
      HttpRequest<Buffer> request, RemoteTarget target, String token) {
    return request
        .timeout(config.requestTimeout().toMillis())
        .bearerTokenAuthentication(token)
        .putHeader(CLIENT_ID_HEADER, config.clientId().orElse(""))
        .putHeader(ADVERTISER_HEADER, target.advertiserId())
        .putHeader(MARKETPLACE_HEADER, target.marketplaceId())
        .putHeader("Accept", "application/json");
  }

  private static String successBody(String operation, HttpResponse<Buffer> response) {
    if (response.statusCode() / 100 != 2) {
      throw new RemoteCallException(
          operation,
          RemoteCallException.Kind.HTTP_STATUS,
          response.statusCode(),
          response.bodyAsString(),
          response.getHeader("Retry-After"),
          null);
    }
    return response.bodyAsString();
  }

  private static <T> T parse(String operation, String body, Function<String, T> parser) {
    try {
      return parser.apply(body);
    } catch (RemoteExecutionParser.MalformedBodyException e) {
      throw RemoteCallException.of(
          operation, RemoteCallException.Kind.MALFORMED_RESPONSE, e.getMessage(), null);
    }
  }

  private static JsonObject createBody(CreateExecutionRequest request) {
    JsonObject body = new JsonObject();
    if (request.workflowId() != null) {
      body.put("workflowId", request.workflowId());
    } else {
      body.put("workflow", new JsonObject().put("sqlQuery", request.sqlQuery()));
    }
    if (request.timeWindow() != null) {
      putIfPresent(body, "timeWindowType", request.timeWindow().type());
      putIfPresent(body, "timeWindowStart", request.timeWindow().start());
      putIfPresent(body, "timeWindowEnd", request.timeWindow().end());
      putIfPresent(body, "timeWindowTimeZone", request.timeWindow().timeZone());
    }
    if (!request.parameterValues().isEmpty()) {
      JsonObject values = new JsonObject();
      request.parameterValues().forEach(values::put);
      body.put("parameterValues", values);
    }
    return body;
  }

  private static void putIfPresent(JsonObject body, String field, String value) {
    if (value != null) {
      body.put(field, value);
    }
  }

  private String baseUrl(RemoteTarget target) {
    return stripSlash(
        target.baseUrlOverride() != null ? target.baseUrlOverride() : config.apiBaseUrl());
  }

  private String listUrl(
      RemoteTarget target, ListQuery query, boolean includeWorkflow, String nextToken) {
    StringBuilder url =
        new StringBuilder(executionsUrl(target))
            .append("?limit=100&sortAscending=true&includeCancelled=true&includeWorkflow=")
            .append(includeWorkflow);
    if (query.workflowId() != null) {
      url.append("&workflowId=").append(encode(query.workflowId()));
    }
    if (query.createdSince() != null) {
      url.append("&minCreationTime=")
          .append(encode(LIST_TIME.format(query.createdSince().atOffset(ZoneOffset.UTC))))
          .append("&timeZone=UTC");
    }
    if (nextToken != null) {
      url.append("&nextToken=").append(encode(nextToken));
    }
    return url.toString();
  }

  private String executionsUrl(RemoteTarget target) {
    return baseUrl(target)
        + "/amc/reporting/"
        + encode(target.instanceId())
        + "/workflowExecutions";
  }

  private String executionUrl(RemoteTarget target, String executionId) {
    return executionsUrl(target) + "/" + encode(executionId);
  }

  private static String stripSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  private static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
