package io.executionpoller.security;

import io.executionpoller.api.ApiProblem;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import java.util.Set;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Every REST route (the admin API and the dashboard) needs a token: reading needs a viewer or
 * operator token, anything else an operator token. Runs before routing, so unknown paths answer 401
 * too and reveal nothing about which routes exist.
 */
public class AccessFilter {

  /** The request property holding the {@link Caller}, for audit messages. */
  public static final String CALLER = "io.executionpoller.caller";

  private static final Set<String> READ_METHODS = Set.of("GET", "HEAD", "OPTIONS");
  private static final String REALM = "realm=\"execution-poller\"";

  private final AdminTokens tokens;
  private final Counter missing;
  private final Counter invalid;
  private final Counter forbidden;
  private final Counter crossSite;

  AccessFilter(AdminTokens tokens, MeterRegistry registry) {
    this.tokens = tokens;
    this.missing = refusals(registry, "missing_token");
    this.invalid = refusals(registry, "invalid_token");
    this.forbidden = refusals(registry, "insufficient_role");
    this.crossSite = refusals(registry, "cross_site");
  }

  private static Counter refusals(MeterRegistry registry, String reason) {
    return Counter.builder("poller.api.refused")
        .description("API and dashboard requests refused by authentication or role")
        .tag("reason", reason)
        .register(registry);
  }

  @ServerRequestFilter(preMatching = true)
  public Optional<Response> authorize(ContainerRequestContext request) {
    String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
    boolean api = request.getUriInfo().getPath().startsWith("/api/");
    if (header == null || header.isBlank()) {
      missing.increment();
      return Optional.of(unauthorized(api, "a bearer token is required"));
    }
    Optional<Caller> caller = tokens.authenticate(header);
    if (caller.isEmpty()) {
      invalid.increment();
      return Optional.of(unauthorized(api, "the token is not valid"));
    }
    if (!CrossSiteRule.allows(
        new CrossSiteRule.Request(
            request.getMethod(),
            header,
            request.getHeaderString("Sec-Fetch-Site"),
            request.getHeaderString("Origin"),
            request.getHeaderString(HttpHeaders.HOST),
            request.getHeaderString("X-Requested-With")))) {
      crossSite.increment();
      return Optional.of(
          ApiProblem.response(
              403,
              "a change made with a browser's credentials must come from the daemon's own pages"));
    }
    Role required = READ_METHODS.contains(request.getMethod()) ? Role.VIEWER : Role.OPERATOR;
    if (!caller.get().role().allows(required)) {
      forbidden.increment();
      return Optional.of(ApiProblem.response(403, "this action needs an operator token"));
    }
    request.setProperty(CALLER, caller.get());
    return Optional.empty();
  }

  /**
   * The dashboard asks the browser for Basic credentials. The API asks for a bearer token first and
   * offers Basic beside it: the dashboard's scripts call the API (its event stream, the backfill)
   * with the browser's credentials, which a browser sends unasked only below the path it signed in
   * at; elsewhere it answers a Basic challenge for the realm with the credentials it holds.
   */
  private static Response unauthorized(boolean api, String detail) {
    String basic = "Basic " + REALM + ", charset=\"UTF-8\"";
    Response.ResponseBuilder refused = Response.fromResponse(ApiProblem.response(401, detail));
    // Two header lines, not one list: browsers read one challenge per line.
    if (api) {
      refused.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer " + REALM);
    }
    return refused.header(HttpHeaders.WWW_AUTHENTICATE, basic).build();
  }
}
