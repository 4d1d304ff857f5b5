package io.executionpoller.remote;

import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpRequest;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The AMC workflow-execution API. It only reads and returns records: every failure becomes a {@link
 * RemoteCallException}, every call has a whole-request deadline, and a 401 or 403 is answered once
 * with a fresh token before it counts as a failure.
 */
@ApplicationScoped
public class AmcClient {

  static final String CLIENT_ID_HEADER = "Amazon-Advertising-API-ClientId";
  static final String ADVERTISER_HEADER = "Amazon-Advertising-API-AdvertiserId";
  static final String MARKETPLACE_HEADER = "Amazon-Advertising-API-MarketplaceId";

  private final WebClient client;
  private final AccessTokenProvider tokens;
  private final AmcConfig config;

  AmcClient(@AmcHttp WebClient client, AccessTokenProvider tokens, AmcConfig config) {
    this.client = client;
    this.tokens = tokens;
    this.config = config;
  }

  public Uni<RemoteExecution> createExecution(RemoteTarget target, CreateExecutionRequest request) {
    String url = executionsUrl(target);
    return call(
            "create execution",
            token -> prepare(client.postAbs(url), target, token).sendJson(createBody(request)))
        .map(body -> parse("create execution", body, RemoteExecutionParser::parseExecution));
  }

  public Uni<RemoteExecution> getExecution(RemoteTarget target, String executionId) {
    String url = executionUrl(target, executionId);
    return call("get execution", token -> prepare(client.getAbs(url), target, token).send())
        .map(body -> parse("get execution", body, RemoteExecutionParser::parseExecution));
  }

  public Uni<Void> cancelExecution(RemoteTarget target, String executionId) {
    String url = executionUrl(target, executionId);
    JsonObject body = new JsonObject().put("status", "CANCELLED");
    return call(
            "cancel execution",
            token -> prepare(client.putAbs(url), target, token).sendJsonObject(body))
        .replaceWithVoid();
  }

  public Uni<DownloadUrls> getDownloadUrls(RemoteTarget target, String executionId) {
    String url = executionUrl(target, executionId) + "/downloadUrls";
    return call("get download urls", token -> prepare(client.getAbs(url), target, token).send())
        .map(body -> parse("get download urls", body, RemoteExecutionParser::parseDownloadUrls));
  }

  private Uni<String> call(String operation, Function<String, Uni<HttpResponse<Buffer>>> send) {
    Duration deadline = config.requestTimeout();
    Function<String, Uni<HttpResponse<Buffer>>> sendWithDeadline =
        token ->
            send.apply(token)
                .ifNoItem()
                .after(deadline)
                .failWith(() -> new TimeoutException("no answer within " + deadline));
    return tokens
        .token()
        .chain(
            token ->
                sendWithDeadline
                    .apply(token)
                    .chain(response -> retryOnceIfRefused(token, response, sendWithDeadline)))
        .onFailure(failure -> !(failure instanceof RemoteCallException))
        .transform(failure -> RemoteFailures.transport(operation, failure))
        .map(response -> successBody(operation, response));
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

  private String executionsUrl(RemoteTarget target) {
    String base = target.baseUrlOverride() != null ? target.baseUrlOverride() : config.apiBaseUrl();
    return stripSlash(base)
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
