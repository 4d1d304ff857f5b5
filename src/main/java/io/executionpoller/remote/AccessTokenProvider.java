package io.executionpoller.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.executionpoller.failure.ErrorClassifier;
import io.executionpoller.failure.ErrorType;
import io.executionpoller.remote.guard.GuardConfig;
import io.executionpoller.remote.guard.RemoteGate;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.MultiMap;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Login with Amazon access tokens, refreshed with the configured refresh token. One token is cached
 * until shortly before it expires; concurrent callers share a single refresh, so the token endpoint
 * is called once per expiry, not once per check. Tokens are never logged.
 *
 * <p>When Login with Amazon rejects the credentials (invalid_grant, invalid_client) or cannot be
 * reached, every call is deferred ({@link CallDeferred}) for a while instead of failing: a revoked
 * refresh token is an operator's problem, not a reason to fail thousands of executions. One LwA
 * credential serves every account in this version, so a rejection pauses them all.
 */
@ApplicationScoped
public class AccessTokenProvider {

  private static final Logger LOG = Logger.getLogger(AccessTokenProvider.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern OAUTH_ERROR = Pattern.compile("\"error\"\\s*:\\s*\"([a-z_]+)\"");

  private record CachedToken(String value, Instant expiresAt) {}

  /** What the daemon knows of its credentials, for health details and metrics. */
  public record CredentialStatus(State state, String error, Instant pausedUntil) {

    /** OK after a successful refresh; UNKNOWN before the first. */
    public enum State {
      UNKNOWN,
      OK,
      REJECTED,
      UNAVAILABLE
    }
  }

  private final WebClient client;
  private final AmcConfig config;
  private final Clock clock;
  private final AtomicReference<CachedToken> current = new AtomicReference<>();
  private final AtomicReference<Uni<CachedToken>> refreshInFlight = new AtomicReference<>();
  private final GuardConfig guard;
  private final RemoteGate gate;
  private final RequestTiming timing;
  private final CallGuards guards;
  private final MeterRegistry registry;
  private final Gauge rejectedGauge;
  private volatile CredentialStatus status =
      new CredentialStatus(CredentialStatus.State.UNKNOWN, null, null);

  AccessTokenProvider(
      @AmcHttp WebClient client,
      AmcConfig config,
      Clock clock,
      GuardConfig guard,
      RemoteGate gate,
      RequestTiming timing,
      CallGuards guards,
      MeterRegistry registry) {
    this.timing = timing;
    this.guards = guards;
    this.registry = registry;
    this.client = client;
    this.config = config;
    this.clock = clock;
    this.guard = guard;
    this.gate = gate;
    this.rejectedGauge =
        Gauge.builder(
                "poller.remote.credentials.rejected",
                this,
                p -> p.status.state() == CredentialStatus.State.REJECTED ? 1 : 0)
            .description("1 while Login with Amazon rejects the configured credentials")
            .register(registry);
  }

  /**
   * The gauge reads this instance: it goes with it, so that an instance built afresh (the container
   * may destroy an application-scoped bean) registers one that reads the new state.
   */
  @PreDestroy
  void unregisterGauge() {
    registry.remove(rejectedGauge);
  }

  /** A valid access token, from the cache or from one shared refresh. */
  public Uni<String> token() {
    Instant now = clock.instant();
    CachedToken cached = current.get();
    if (cached != null && now.isBefore(cached.expiresAt())) {
      return Uni.createFrom().item(cached.value());
    }
    CredentialStatus known = status;
    if (known.pausedUntil() != null && now.isBefore(known.pausedUntil())) {
      CallDeferred.Reason reason =
          known.state() == CredentialStatus.State.REJECTED
              ? CallDeferred.Reason.CREDENTIALS_REJECTED
              : CallDeferred.Reason.TOKEN_UNAVAILABLE;
      return Uni.createFrom()
          .failure(gate.deferred(reason, known.pausedUntil(), "no access token: " + known.error()));
    }
    return sharedRefresh().map(CachedToken::value);
  }

  public CredentialStatus status() {
    return status;
  }

  /**
   * AMC refused {@code rejected}: drop it (unless another caller already replaced it) and return a
   * fresh one. Callers retry once with it.
   */
  public Uni<String> replaceRejected(String rejected) {
    current.updateAndGet(
        cached -> cached != null && cached.value().equals(rejected) ? null : cached);
    return token();
  }

  private Uni<CachedToken> sharedRefresh() {
    while (true) {
      Uni<CachedToken> inFlight = refreshInFlight.get();
      if (inFlight != null) {
        return inFlight;
      }
      Uni<CachedToken> refresh =
          requestToken()
              .invoke(current::set)
              .invoke(() -> status = new CredentialStatus(CredentialStatus.State.OK, null, null))
              .onFailure()
              .transform(this::pauseAfter)
              .onTermination()
              .invoke(() -> refreshInFlight.set(null))
              .memoize()
              .indefinitely();
      if (refreshInFlight.compareAndSet(null, refresh)) {
        return refresh;
      }
    }
  }

  /** A failed refresh pauses calls: long for rejected credentials, briefly for an outage. */
  private Throwable pauseAfter(Throwable failure) {
    Instant now = clock.instant();
    String rejection = rejection(failure);
    if (rejection != null) {
      Instant until = now.plus(guard.credentials().recheckInterval());
      if (status.state() != CredentialStatus.State.REJECTED) {
        LOG.errorf(
            "AMC_CREDENTIALS_REJECTED error=%s; every AMC call is paused until %s."
                + " Fix poller.amc.client-id/client-secret/refresh-token.",
            rejection, until);
      }
      status = new CredentialStatus(CredentialStatus.State.REJECTED, rejection, until);
      return gate.deferred(CallDeferred.Reason.CREDENTIALS_REJECTED, until, rejection);
    }
    Instant until = now.plus(guard.credentials().unavailableRetry());
    LOG.warnf("AMC_TOKEN_UNAVAILABLE %s; calls wait until %s", failure.getMessage(), until);
    status = new CredentialStatus(CredentialStatus.State.UNAVAILABLE, failure.getMessage(), until);
    return gate.deferred(CallDeferred.Reason.TOKEN_UNAVAILABLE, until, failure.getMessage());
  }

  /**
   * Whether Login with Amazon refused the credentials themselves (the classifier says
   * AUTHENTICATION_ERROR: a 4xx from the token endpoint, or none configured), as the OAuth2 error
   * code to show operators; null for an outage (5xx, 429, timeouts), which only waits briefly.
   */
  private static String rejection(Throwable failure) {
    if (ErrorClassifier.classify(RemoteFailures.facts(failure)) != ErrorType.AUTHENTICATION_ERROR) {
      return null;
    }
    RemoteCallException remote = (RemoteCallException) failure;
    if (remote.kind() == RemoteCallException.Kind.NOT_CONFIGURED) {
      return "not_configured";
    }
    Matcher code = OAUTH_ERROR.matcher(remote.body() == null ? "" : remote.body());
    return code.find() ? code.group(1) : "HTTP " + remote.httpStatus();
  }

  private Uni<CachedToken> requestToken() {
    if (config.clientId().isEmpty()
        || config.clientSecret().isEmpty()
        || config.refreshToken().isEmpty()) {
      return Uni.createFrom()
          .failure(
              RemoteCallException.of(
                  "token refresh",
                  RemoteCallException.Kind.NOT_CONFIGURED,
                  "poller.amc.client-id, client-secret and refresh-token must be set",
                  null));
    }
    MultiMap form =
        MultiMap.caseInsensitiveMultiMap()
            .add("grant_type", "refresh_token")
            .add("refresh_token", config.refreshToken().get())
            .add("client_id", config.clientId().get())
            .add("client_secret", config.clientSecret().get());
    return timing
        .time(
            "token refresh",
            guards.withinDeadline(
                () ->
                    client
                        .postAbs(config.tokenUrl())
                        .timeout(config.requestTimeout().toMillis())
                        .sendForm(form)))
        .onFailure(failure -> !(failure instanceof RemoteCallException))
        .transform(failure -> RemoteFailures.transport("token refresh", failure))
        .map(this::readToken);
  }

  /**
   * When a token issued at {@code issued} for {@code lifetime} is replaced: {@code margin} before
   * it expires, but never earlier than four fifths into its life, so a short-lived token (shorter
   * than the margin) is still used for most of its life instead of being fetched for every call.
   */
  static Instant refreshAt(Instant issued, Duration lifetime, Duration margin) {
    Duration fifth = lifetime.isNegative() ? Duration.ZERO : lifetime.dividedBy(5);
    Duration early = margin.compareTo(fifth) < 0 ? margin : fifth;
    return issued.plus(lifetime.minus(early));
  }

  private CachedToken readToken(HttpResponse<Buffer> response) {
    if (response.statusCode() / 100 != 2) {
      // The body is OAuth2's {"error","error_description"}; it holds no secret.
      throw new RemoteCallException(
          "token refresh",
          RemoteCallException.Kind.HTTP_STATUS,
          response.statusCode(),
          response.bodyAsString(),
          response.getHeader("Retry-After"),
          null);
    }
    try {
      JsonNode body = JSON.readTree(response.bodyAsString());
      String token = body.path("access_token").asText(null);
      long expiresIn = body.path("expires_in").asLong(3600);
      if (token == null || token.isBlank()) {
        throw new IllegalArgumentException("no access_token");
      }
      LOG.debugf("access token refreshed, valid for %d s", expiresIn);
      return new CachedToken(
          token,
          refreshAt(clock.instant(), Duration.ofSeconds(expiresIn), config.tokenRefreshMargin()));
    } catch (Exception e) {
      throw RemoteCallException.of(
          "token refresh",
          RemoteCallException.Kind.MALFORMED_RESPONSE,
          "unreadable token response",
          null);
    }
  }
}
