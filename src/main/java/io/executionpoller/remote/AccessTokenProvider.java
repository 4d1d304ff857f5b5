package io.executionpoller.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.MultiMap;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * Login with Amazon access tokens, refreshed with the configured refresh token. One token is cached
 * until shortly before it expires; concurrent callers share a single refresh, so the token endpoint
 * is called once per expiry, not once per check. Tokens are never logged.
 */
@ApplicationScoped
public class AccessTokenProvider {

  private static final Logger LOG = Logger.getLogger(AccessTokenProvider.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private record CachedToken(String value, Instant expiresAt) {}

  private final WebClient client;
  private final AmcConfig config;
  private final Clock clock;
  private final AtomicReference<CachedToken> current = new AtomicReference<>();
  private final AtomicReference<Uni<CachedToken>> refreshInFlight = new AtomicReference<>();

  AccessTokenProvider(@AmcHttp WebClient client, AmcConfig config, Clock clock) {
    this.client = client;
    this.config = config;
    this.clock = clock;
  }

  /** A valid access token, from the cache or from one shared refresh. */
  public Uni<String> token() {
    CachedToken cached = current.get();
    if (cached != null && clock.instant().isBefore(cached.expiresAt())) {
      return Uni.createFrom().item(cached.value());
    }
    return sharedRefresh().map(CachedToken::value);
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
              .onTermination()
              .invoke(() -> refreshInFlight.set(null))
              .memoize()
              .indefinitely();
      if (refreshInFlight.compareAndSet(null, refresh)) {
        return refresh;
      }
    }
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
    Duration deadline = config.requestTimeout();
    return client
        .postAbs(config.tokenUrl())
        .timeout(deadline.toMillis())
        .sendForm(form)
        .ifNoItem()
        .after(deadline)
        .failWith(() -> new TimeoutException("no answer within " + deadline))
        .onFailure(failure -> !(failure instanceof RemoteCallException))
        .transform(failure -> RemoteFailures.transport("token refresh", failure))
        .map(this::readToken);
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
      Instant now = clock.instant();
      Duration usable = Duration.ofSeconds(expiresIn).minus(config.tokenRefreshMargin());
      Instant refreshAt = now.plus(usable.isNegative() ? Duration.ZERO : usable);
      LOG.debugf("access token refreshed, valid for %d s", expiresIn);
      return new CachedToken(token, refreshAt);
    } catch (Exception e) {
      throw RemoteCallException.of(
          "token refresh",
          RemoteCallException.Kind.MALFORMED_RESPONSE,
          "unreadable token response",
          null);
    }
  }
}
