package io.executionpoller.remote;

import static io.executionpoller.support.Api.operator;
import static io.executionpoller.support.Api.viewer;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.agroal.api.AgroalDataSource;
import io.executionpoller.poll.PollCycle;
import io.executionpoller.support.Fixtures;
import io.executionpoller.support.PostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The AMC endpoint is not the caller's to choose. A stranger's server listens on 127.0.0.2, a host
 * that is not on poller.amc.allowed-api-hosts, and counts every request it gets: it must get none,
 * whatever is registered and however many poll cycles run.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class AmcEndpointTest {

  private static final Duration AWAIT = Duration.ofSeconds(60);
  private static final String EU = "https://advertising-api-eu.amazon.com";

  @Inject Fixtures fixtures;
  @Inject AgroalDataSource dataSource;
  @Inject PollCycle cycle;

  private HttpServer stranger;
  private final AtomicInteger strangerRequests = new AtomicInteger();

  @BeforeEach
  void start() throws IOException {
    fixtures.reset();
    stranger = HttpServer.create(new InetSocketAddress("127.0.0.2", 0), 0);
    stranger.createContext(
        "/",
        exchange -> {
          strangerRequests.incrementAndGet();
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    stranger.start();
  }

  @AfterEach
  void stop() {
    stranger.stop(0);
  }

  private String strangerUrl() {
    return "http://127.0.0.2:" + stranger.getAddress().getPort() + "/amc";
  }

  @Test
  void shouldRefuseARegistrationNamingAnotherHostAndNeverCallIt() {
    Response refused = registerWorkflow("wf_stranger", "amcinst01", strangerUrl());

    assertThat(refused.statusCode()).as(refused.asString()).isEqualTo(400);
    assertThat(refused.<String>path("detail")).contains("allowed-api-hosts");
    assertThat(fixtures.count("SELECT count(*) FROM amc_instances")).isZero();
    fixtures.submit(fixtures.savedWorkflow("wf_local"));
    cycle.runOnce().await().atMost(AWAIT);
    assertThat(strangerRequests).hasValue(0);
  }

  @Test
  void shouldNotSendTheTokenToAnInstanceEndpointOffTheList() {
    UUID execution = fixtures.submit(fixtures.savedWorkflow("wf_old_row"));
    // A row written before the allow-list existed, or by hand.
    fixtures.update("UPDATE amc_instances SET api_base_url = '" + strangerUrl() + "'");

    cycle.runOnce().await().atMost(AWAIT);

    assertThat(strangerRequests).hasValue(0);
    assertThat(fixtures.execution(execution).get("submit_attempted_at")).isNull();
    List<Map<String, Object>> failed =
        fixtures.query(
            "SELECT message FROM execution_events WHERE execution_id = ? AND type = 'CHECK_FAILED'",
            execution);
    assertThat(failed).hasSize(1);
    assertThat((String) failed.get(0).get("message"))
        .startsWith("PERMISSION_ERROR")
        .contains("allowed-api-hosts");
  }

  @Test
  void shouldRefuseARegistrationThatWouldRepointAnInstance() {
    assertThat(registerWorkflow("wf_first", "amcinst01", null).statusCode()).isEqualTo(201);

    Response repoint = registerWorkflow("wf_second", "amcinst01", EU);

    assertThat(repoint.statusCode()).as(repoint.asString()).isEqualTo(409);
    assertThat(fixtures.query("SELECT api_base_url FROM amc_instances").get(0).get("api_base_url"))
        .isNull();
    assertThat(fixtures.count("SELECT count(*) FROM workflows")).isEqualTo(1);
    // Naming the endpoint the instance already uses is no change.
    assertThat(registerWorkflow("wf_euro", "amcinst09", EU).statusCode()).isEqualTo(201);
    assertThat(registerWorkflow("wf_euro2", "amcinst09", EU + "/").statusCode()).isEqualTo(201);
  }

  /**
   * Two operators move one instance at once, both held behind a lock on its rows until both wait:
   * the moves are serialised, so the second's audit line names the first's URL as the one it
   * replaced, and the instance ends at the second's.
   */
  @Test
  void shouldAuditTwoConcurrentMovesAsAChainWhenTheInstanceRowsAreContended() throws Exception {
    fixtures.savedWorkflow("wf_contended");
    String fe = "https://advertising-api-fe.amazon.com";
    List<CompletableFuture<Response>> moves = new ArrayList<>();
    try (Connection holder = dataSource.getConnection()) {
      holder.setAutoCommit(false);
      try (PreparedStatement lock =
          holder.prepareStatement(
              "SELECT id FROM amc_instances WHERE instance_id = 'amcinst01' FOR UPDATE")) {
        lock.executeQuery().close();
      }
      for (String url : List.of(EU, fe)) {
        moves.add(
            CompletableFuture.supplyAsync(
                () ->
                    operator()
                        .contentType(ContentType.JSON)
                        .body(Map.of("apiBaseUrl", url, "reason", "move"))
                        .put("/api/v1/instances/amcinst01/endpoint")));
      }
      fixtures.awaitLockWaiters(2);
      holder.commit();
    }
    for (CompletableFuture<Response> move : moves) {
      move.get(60, TimeUnit.SECONDS).then().statusCode(200);
    }

    List<Map<String, Object>> audit =
        fixtures.query(
            "SELECT previous_api_base_url, api_base_url FROM amc_instance_endpoint_changes"
                + " ORDER BY id");
    assertThat(audit).hasSize(2);
    assertThat(audit.get(1).get("previous_api_base_url"))
        .as("the second move replaced what the first one set")
        .isEqualTo(audit.get(0).get("api_base_url"));
    assertThat(fixtures.query("SELECT api_base_url FROM amc_instances").get(0).get("api_base_url"))
        .isEqualTo(audit.get(1).get("api_base_url"));
  }

  @Test
  void shouldLetOnlyAnOperatorChangeAnEndpointToAnAllowedHostAndAuditIt() {
    fixtures.savedWorkflow("wf_moving");
    Map<String, Object> change = Map.of("apiBaseUrl", EU, "reason", "instance lives in eu-west-1");

    viewer()
        .contentType(ContentType.JSON)
        .body(change)
        .put("/api/v1/instances/amcinst01/endpoint")
        .then()
        .statusCode(403);
    operator()
        .contentType(ContentType.JSON)
        .body(Map.of("apiBaseUrl", strangerUrl()))
        .put("/api/v1/instances/amcinst01/endpoint")
        .then()
        .statusCode(400);
    operator()
        .contentType(ContentType.JSON)
        .body(Map.of("apiBaseUrl", "http://advertising-api-eu.amazon.com"))
        .put("/api/v1/instances/amcinst01/endpoint")
        .then()
        .statusCode(200);
    operator()
        .contentType(ContentType.JSON)
        .body(change)
        .put("/api/v1/instances/amcnone/endpoint")
        .then()
        .statusCode(404);
    assertThat(fixtures.count("SELECT count(*) FROM amc_instance_endpoint_changes")).isEqualTo(1);

    operator()
        .contentType(ContentType.JSON)
        .body(change)
        .put("/api/v1/instances/amcinst01/endpoint")
        .then()
        .statusCode(200);

    assertThat(fixtures.query("SELECT api_base_url FROM amc_instances").get(0).get("api_base_url"))
        .isEqualTo(EU);
    List<Map<String, Object>> audit =
        fixtures.query(
            "SELECT previous_api_base_url, api_base_url, changed_by, reason"
                + " FROM amc_instance_endpoint_changes ORDER BY id");
    assertThat(audit).hasSize(2);
    Map<String, Object> last = audit.get(1);
    assertThat(last.get("previous_api_base_url")).isEqualTo("http://advertising-api-eu.amazon.com");
    assertThat(last.get("api_base_url")).isEqualTo(EU);
    assertThat((String) last.get("changed_by")).startsWith("operator:");
    assertThat(last.get("reason")).isEqualTo("instance lives in eu-west-1");
  }

  private static Response registerWorkflow(String workflowId, String instanceId, String url) {
    Map<String, Object> body = new HashMap<>();
    body.put("instanceId", instanceId);
    body.put("advertiserId", Fixtures.ADVERTISER);
    body.put("marketplaceId", Fixtures.MARKETPLACE);
    body.put("workflowId", workflowId);
    if (url != null) {
      body.put("apiBaseUrl", url);
    }
    return operator().contentType(ContentType.JSON).body(body).post("/api/v1/workflows");
  }
}
