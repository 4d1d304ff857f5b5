package io.executionpoller.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.executionpoller.support.Api;
import io.executionpoller.support.PostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The 401/403 matrix over every route the OpenAPI document lists, so a new endpoint cannot slip in
 * unprotected: no token or a wrong one is 401, a viewer acting is 403, and the right role passes
 * the filter (whatever the endpoint then answers for a random id).
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class AccessControlTest {

  private static final Set<String> READS = Set.of("get", "head");

  private record Route(String method, String path) {
    String concrete() {
      return path.replaceAll("\\{[^}]+}", UUID.randomUUID().toString());
    }

    boolean reads() {
      return READS.contains(method);
    }
  }

  private List<Route> routes;

  // Per test: RestAssured points at the test port only once Quarkus has started. The document is
  // served on the management port, beside health and metrics.
  @BeforeEach
  void readRoutesFromOpenApi() {
    Map<String, Map<String, Object>> paths =
        given()
            .port(
                ConfigProvider.getConfig().getValue("quarkus.management.test-port", Integer.class))
            .queryParam("format", "json")
            .get("/q/openapi")
            .jsonPath()
            .getMap("paths");
    routes = new ArrayList<>();
    paths.forEach(
        (path, operations) ->
            operations.keySet().stream()
                .filter(method -> Set.of("get", "post", "put", "patch", "delete").contains(method))
                .forEach(method -> routes.add(new Route(method, path))));
  }

  @Test
  void shouldListEveryAdminRouteInTheOpenApiDocument() {
    assertThat(routes)
        .extracting(route -> route.method() + " " + route.path())
        .contains(
            "get /api/v1/workflows",
            "post /api/v1/workflows",
            "get /api/v1/workflows/{id}",
            "post /api/v1/workflows/{id}/validate",
            "get /api/v1/executions",
            "post /api/v1/executions",
            "post /api/v1/executions/batch",
            "post /api/v1/executions/backfill",
            "get /api/v1/executions/{id}",
            "get /api/v1/executions/{id}/events",
            "post /api/v1/executions/{id}/cancel",
            "post /api/v1/executions/{id}/retry",
            "post /api/v1/executions/{id}/poll",
            "get /api/v1/executions/stuck",
            "get /api/v1/executions/{id}/results",
            "get /api/v1/debug",
            "get /api/v1/stats",
            "get /api/v1/replicas",
            "get /api/v1/subscriptions",
            "post /api/v1/subscriptions",
            "patch /api/v1/subscriptions/{id}",
            "post /api/v1/subscriptions/{id}/rotate-secret",
            "post /api/v1/subscriptions/{id}/pause",
            "get /api/v1/subscriptions/{id}/deliveries",
            "get /api/v1/deliveries",
            "post /api/v1/deliveries/{id}/redeliver",
            "get /api/v1/events/stream",
            "post /api/v1/executions/bulk/{action}/preview",
            "post /api/v1/executions/bulk/{action}",
            "get /api/v1/bulk-jobs",
            "get /api/v1/bulk-jobs/{id}",
            "post /api/v1/bulk-jobs/{id}/cancel");
  }

  @Test
  void shouldRefuseMissingAndWrongTokensOnEveryRoute() {
    for (Route route : routes) {
      assertUnauthorized(given(), route, "no token");
      assertUnauthorized(Api.bearer("wrong-token-of-good-length"), route, "wrong token");
      assertUnauthorized(Api.bearer(Api.VIEWER_TOKEN + "x"), route, "token with a suffix");
      assertUnauthorized(
          given().header("Authorization", "Bearer sha256:" + "0".repeat(64)), route, "a hash");
      assertUnauthorized(
          given().header("Authorization", "Token " + Api.VIEWER_TOKEN), route, "unknown scheme");
    }
  }

  @Test
  void shouldLetViewersReadAndOperatorsAlsoAct() {
    for (Route route : routes) {
      Response asViewer = send(Api.viewer(), route);
      if (route.reads()) {
        assertThat(asViewer.statusCode()).as("viewer " + route).isNotIn(401, 403);
      } else {
        assertThat(asViewer.statusCode()).as("viewer " + route).isEqualTo(403);
        assertThat(asViewer.contentType()).startsWith("application/problem+json");
      }
      assertThat(send(Api.operator(), route).statusCode())
          .as("operator " + route)
          .isNotIn(401, 403);
    }
  }

  @Test
  void shouldAcceptTheTokenAsThePasswordOfBasicCredentials() {
    String basic =
        Base64.getEncoder()
            .encodeToString(("anyone:" + Api.VIEWER_TOKEN).getBytes(StandardCharsets.UTF_8));
    given()
        .header("Authorization", "Basic " + basic)
        .get("/api/v1/executions")
        .then()
        .statusCode(200);
  }

  @Test
  void shouldAskBrowsersForCredentialsOnEveryDashboardPageAndServeThemToViewers() {
    for (String page :
        List.of(
            "/",
            "/problems",
            "/charts",
            "/?workflow=x&errorType=QUERY_ERROR",
            "/backfill",
            "/assets/live.js",
            "/assets/backfill.js",
            "/assets/bulk.js")) {
      Response anonymous = given().get(page);
      assertThat(anonymous.statusCode()).as(page).isEqualTo(401);
      assertThat(anonymous.header("WWW-Authenticate")).as(page).startsWith("Basic ");
      assertThat(given().auth().preemptive().basic("viewer", "wrong").get(page).statusCode())
          .as(page)
          .isEqualTo(401);
      assertThat(
              given().auth().preemptive().basic("viewer", Api.VIEWER_TOKEN).get(page).statusCode())
          .as(page)
          .isEqualTo(200);
    }
  }

  @Test
  void shouldGiveBulkActionsToOperatorsOnlyAndServeOnlyListedScriptsFromTheDaemon() {
    String asViewer =
        given().auth().preemptive().basic("viewer", Api.VIEWER_TOKEN).get("/").asString();
    assertThat(asViewer).doesNotContain("bulk-start", "bulk.js", "class=\"pick\"");
    Response asOperator = given().auth().preemptive().basic("op", Api.OPERATOR_TOKEN).get("/");
    assertThat(asOperator.asString())
        .contains("data-action=\"cancel\"", "data-action=\"retry\"", "data-action=\"check-now\"")
        .contains("<script src=\"/assets/bulk.js\"></script>");
    String policy = asOperator.header("Content-Security-Policy");
    assertThat(policy).contains("script-src 'self';", "connect-src 'self';", "default-src 'none'");
    assertThat(policy.split("script-src")[1].split(";")[0]).isEqualTo(" 'self'");

    Response script =
        given().auth().preemptive().basic("viewer", Api.VIEWER_TOKEN).get("/assets/bulk.js");
    assertThat(script.statusCode()).isEqualTo(200);
    assertThat(script.contentType()).isEqualTo("text/javascript; charset=utf-8");
    assertThat(script.header("Content-Security-Policy")).isEqualTo(policy);
    assertThat(script.header("X-Content-Type-Options")).isEqualTo("nosniff");
    assertThat(script.asString()).contains("/api/v1/executions/bulk/");
    for (String name :
        List.of("layout.html", "BULK.JS", "bulk.js.map", "..%2Fapplication.properties", "%2e%2e")) {
      assertThat(
              given()
                  .auth()
                  .preemptive()
                  .basic("viewer", Api.VIEWER_TOKEN)
                  .get("/assets/" + name)
                  .statusCode())
          .as(name)
          .isEqualTo(404);
    }
  }

  /**
   * A browser attaches its Basic credentials to whatever page makes the request, so a change made
   * with them must come from the daemon's own script; another site's form post or no-cors fetch (no
   * Content-Type, no custom header) is refused and changes nothing.
   */
  @Test
  void shouldRefuseChangesMadeWithABrowsersCredentialsFromAnotherSite() {
    String body = "{\"filter\":{\"status\":[\"PENDING\"]},\"reason\":\"x\",\"confirm\":0}";
    Response noContentType =
        given()
            .auth()
            .preemptive()
            .basic("op", Api.OPERATOR_TOKEN)
            .body(body.getBytes(StandardCharsets.UTF_8))
            .post("/api/v1/executions/bulk/cancel");
    assertThat(noContentType.statusCode()).isEqualTo(403);
    Response fromElsewhere =
        given()
            .auth()
            .preemptive()
            .basic("op", Api.OPERATOR_TOKEN)
            .header("Origin", "https://evil.example")
            .header("X-Requested-With", "XMLHttpRequest")
            .contentType("application/json")
            .body(body)
            .post("/api/v1/executions/bulk/cancel/preview");
    assertThat(fromElsewhere.statusCode()).isEqualTo(403);
    Response ownScript =
        given()
            .auth()
            .preemptive()
            .basic("op", Api.OPERATOR_TOKEN)
            .header("X-Requested-With", "XMLHttpRequest")
            .contentType("application/json")
            .body(body)
            .post("/api/v1/executions/bulk/cancel/preview");
    assertThat(ownScript.statusCode()).isEqualTo(200);
    Response apiClient =
        given()
            .header("Authorization", "Bearer " + Api.OPERATOR_TOKEN)
            .contentType("application/json")
            .body(body)
            .post("/api/v1/executions/bulk/cancel/preview");
    assertThat(apiClient.statusCode()).isEqualTo(200);
  }

  @Test
  void shouldAnswer401ForUnknownPathsBeforeRevealingWhetherTheyExist() {
    Response unknown = given().get("/api/v1/no-such-thing");
    assertThat(unknown.statusCode()).isEqualTo(401);
    assertThat(Api.viewer().get("/api/v1/no-such-thing").statusCode()).isEqualTo(404);
  }

  private void assertUnauthorized(RequestSpecification request, Route route, String why) {
    Response answer = send(request, route);
    assertThat(answer.statusCode()).as(why + ": " + route).isEqualTo(401);
    // API clients are asked for a bearer token; browsers (the dashboard) for Basic credentials.
    List<String> challenges = answer.headers().getValues("WWW-Authenticate");
    assertThat(challenges.get(0))
        .as(why + ": " + route)
        .startsWith(route.path().startsWith("/api/") ? "Bearer" : "Basic");
    // Browsers answer the Basic one with the dashboard's credentials (its scripts call the API).
    assertThat(challenges)
        .as(why + ": " + route)
        .contains("Basic realm=\"execution-poller\", charset=\"UTF-8\"");
    assertThat(answer.contentType()).startsWith("application/problem+json");
  }

  private static Response send(RequestSpecification request, Route route) {
    if (route.path().equals("/api/v1/events/stream")) {
      // A followed stream never ends; this one ends once it has caught up.
      request.queryParam("follow", false);
    }
    if (!route.reads()) {
      request.contentType("application/json").body("{}");
    }
    return request.request(route.method().toUpperCase(), route.concrete());
  }
}
