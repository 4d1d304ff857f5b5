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

  AccessFilter(AdminTokens tokens, MeterRegistry registry) {
    this.tokens = tokens;
    this.missing = refusals(registry, "missing_token");
    this.invalid = refusals(registry, "invalid_token");
    this.forbidden = refusals(registry, "insufficient_role");
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
    boolean api =
        request.getUriInfo().getPath().startsWith("/api/") && !fromDashboardScript(request);
    if (header == null || header.isBlank()) {
      missing.increment();
      return Optional.of(unauthorized(api, "a bearer token is required"));
    }
    Optional<Caller> caller = tokens.authenticate(header);
    if (caller.isEmpty()) {
      invalid.increment();
      return Optional.of(unauthorized(api, "the token is not valid"));
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
   * The dashboard's own script (bulk.js) calls the API with the header browsers' scripts have long
   * sent; it is answered like a page, with a Basic challenge, which the browser answers with the
   * credentials it holds for this realm without asking the person again. (A Bearer challenge it
   * cannot answer.) The header changes nothing else: Basic credentials are accepted on every route.
   */
  private static boolean fromDashboardScript(ContainerRequestContext request) {
    return "XMLHttpRequest".equals(request.getHeaderString("X-Requested-With"));
  }

  /** The API asks for a bearer token; the dashboard asks the browser for Basic credentials. */
  private static Response unauthorized(boolean api, String detail) {
    String challenge = api ? "Bearer " + REALM : "Basic " + REALM + ", charset=\"UTF-8\"";
    return Response.fromResponse(ApiProblem.response(401, detail))
        .header(HttpHeaders.WWW_AUTHENTICATE, challenge)
        .build();
  }
}
