package io.executionpoller.api;

import static io.executionpoller.support.Api.operator;
import static org.assertj.core.api.Assertions.assertThat;

import io.agroal.api.AgroalDataSource;
import io.executionpoller.housekeeping.Housekeeping;
import io.executionpoller.support.Fixtures;
import io.executionpoller.support.PostgresResource;
import io.executionpoller.support.TestClock;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Sixteen clients register at once, released together by one latch. Where the race is between a
 * read and an insert, the test holds the contested row in its own open transaction until all
 * sixteen wait on it (pg_stat_activity says so), then commits: every one of them then meets a row
 * it did not see when it started, whatever the timing.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class ConcurrentRegistrationTest {

  private static final int CLIENTS = 16;
  private static final Duration AWAIT = Duration.ofSeconds(60);
  private static final String REMOTE_ID = "b222222c-222f-2222-b2f2-22d222f2c2d2";

  @Inject Fixtures fixtures;
  @Inject AgroalDataSource dataSource;
  @Inject TestClock clock;
  @Inject Housekeeping housekeeping;

  private ExecutorService pool;

  @BeforeEach
  void clean() {
    fixtures.reset();
    pool = Executors.newFixedThreadPool(CLIENTS);
  }

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  @Test
  void shouldCreateOneAccountAndInstanceWhenSixteenRegisterANewAdvertiserAtOnce() throws Exception {
    Map<String, Object> body =
        Map.of(
            "instanceId", "amcnew01",
            "advertiserId", "ENTITYNEW1",
            "marketplaceId", "A1F83G8C2ARO7P",
            "workflowId", "weekly_reach");
    List<Future<Response>> answers;
    try (Connection holder = dataSource.getConnection()) {
      holder.setAutoCommit(false);
      try (PreparedStatement rows =
          holder.prepareStatement(
              "WITH account AS (INSERT INTO amc_accounts (account_id, marketplace_id, created_at)"
                  + " VALUES ('ENTITYNEW1', 'A1F83G8C2ARO7P', now()) RETURNING id)"
                  + " INSERT INTO amc_instances (instance_id, amc_account_id, created_at)"
                  + " SELECT 'amcnew01', id, now() FROM account")) {
        rows.executeUpdate();
      }
      answers = startTogether(() -> post("/api/v1/workflows", body, null));
      fixtures.awaitLockWaiters(CLIENTS);
      holder.commit();
    }

    for (Future<Response> answer : answers) {
      Response response = answer.get(AWAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(response.statusCode()).as(response.asString()).isEqualTo(201);
    }
    assertThat(fixtures.count("SELECT count(*) FROM amc_accounts")).isEqualTo(1);
    assertThat(fixtures.count("SELECT count(*) FROM amc_instances")).isEqualTo(1);
    assertThat(fixtures.count("SELECT count(*) FROM workflows")).isEqualTo(CLIENTS);
  }

  @Test
  void shouldCreateOneAccountAndInstanceWhenSixteenRaceToCreateThem() throws Exception {
    Map<String, Object> body =
        Map.of(
            "instanceId", "amcnew02",
            "advertiserId", "ENTITYNEW2",
            "marketplaceId", "A1F83G8C2ARO7P",
            "sqlQuery", "SELECT 1");

    for (Future<Response> answer : startTogether(() -> post("/api/v1/workflows", body, null))) {
      Response response = answer.get(AWAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(response.statusCode()).as(response.asString()).isEqualTo(201);
    }
    assertThat(fixtures.count("SELECT count(*) FROM amc_accounts")).isEqualTo(1);
    assertThat(fixtures.count("SELECT count(*) FROM amc_instances")).isEqualTo(1);
    assertThat(fixtures.count("SELECT count(*) FROM workflows")).isEqualTo(CLIENTS);
  }

  @Test
  void shouldCreateOneExecutionWhenSixteenSendOneIdempotencyKeyAtOnce() throws Exception {
    UUID workflow = fixtures.savedWorkflow("wf_idem");
    Map<String, Object> body = Map.of("workflowId", workflow.toString());

    List<Response> responses = new ArrayList<>();
    for (Future<Response> answer :
        startTogether(() -> post("/api/v1/executions", body, "\"order-7f3a\""))) {
      responses.add(answer.get(AWAIT.toSeconds(), TimeUnit.SECONDS));
    }

    assertThat(fixtures.count("SELECT count(*) FROM workflow_executions")).isEqualTo(1);
    String id =
        (String) fixtures.query("SELECT id::text AS id FROM workflow_executions").get(0).get("id");
    assertThat(responses).extracting(Response::statusCode).containsOnly(200, 201);
    assertThat(responses).filteredOn(r -> r.statusCode() == 201).hasSize(1);
    assertThat(responses).extracting(r -> r.path("id")).containsOnly(id);
  }

  @Test
  void shouldAnswerTheExecutionOfAFirstUseStillInProgress() throws Exception {
    UUID workflow = fixtures.savedWorkflow("wf_idem_wait");
    Map<String, Object> body = Map.of("workflowId", workflow.toString());
    UUID first = UUID.randomUUID();
    List<Future<Response>> answers;
    try (Connection holder = dataSource.getConnection()) {
      holder.setAutoCommit(false);
      HeldFirstUse.write(holder, "order-8b1c", workflow, first);
      answers = startTogether(() -> post("/api/v1/executions", body, "order-8b1c"));
      fixtures.awaitLockWaiters(CLIENTS);
      holder.commit();
    }

    for (Future<Response> answer : answers) {
      Response response = answer.get(AWAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(response.statusCode()).as(response.asString()).isEqualTo(200);
      assertThat(response.<String>path("id")).isEqualTo(first.toString());
    }
    assertThat(fixtures.count("SELECT count(*) FROM workflow_executions")).isEqualTo(1);
  }

  @Test
  void shouldAnswerARepeatedKeyWithTheFirstExecutionAndRefuseItForAnotherBody() {
    UUID workflow = fixtures.savedWorkflow("wf_idem_seq");
    Map<String, Object> body =
        Map.of("workflowId", workflow.toString(), "parameterValues", Map.of("country", "US"));
    Response first = post("/api/v1/executions", body, "\"order-9d2e\"");
    assertThat(first.statusCode()).isEqualTo(201);

    Response repeat = post("/api/v1/executions", body, "\"order-9d2e\"");
    assertThat(repeat.statusCode()).isEqualTo(200);
    assertThat(repeat.<String>path("id")).isEqualTo(first.path("id"));

    Response other =
        post(
            "/api/v1/executions",
            Map.of("workflowId", workflow.toString(), "parameterValues", Map.of("country", "DE")),
            "\"order-9d2e\"");
    assertThat(other.statusCode()).isEqualTo(422);
    assertThat(other.contentType()).startsWith("application/problem+json");
    assertThat(fixtures.count("SELECT count(*) FROM workflow_executions")).isEqualTo(1);

    assertThat(post("/api/v1/executions", body, "\"no\\\"good\"").statusCode()).isEqualTo(400);
    assertThat(fixtures.count("SELECT count(*) FROM workflow_executions")).isEqualTo(1);
  }

  @Test
  void shouldForgetAKeyAfterItsLifetimeAndHaveHousekeepingPurgeIt() throws Exception {
    UUID workflow = fixtures.savedWorkflow("wf_idem_expiry");
    Map<String, Object> body = Map.of("workflowId", workflow.toString());
    String first = post("/api/v1/executions", body, "\"order-expiry\"").path("id");

    clock.advance(Duration.ofHours(24));
    Response afterLifetime = post("/api/v1/executions", body, "\"order-expiry\"");
    assertThat(afterLifetime.statusCode()).isEqualTo(201);
    assertThat(afterLifetime.<String>path("id")).isNotEqualTo(first);
    assertThat(housekeeping.purgeIdempotencyKeysNow()).isZero();

    clock.advance(Duration.ofHours(24));
    assertThat(housekeeping.purgeIdempotencyKeysNow()).isEqualTo(1);
    assertThat(fixtures.count("SELECT count(*) FROM execution_idempotency_keys")).isZero();
    assertThat(fixtures.count("SELECT count(*) FROM workflow_executions")).isEqualTo(2);
  }

  @Test
  void shouldRefuseToTrackARemoteExecutionAnotherWorkflowOfTheInstanceTracks() {
    UUID first = fixtures.savedWorkflow("wf_track_a");
    UUID second = fixtures.savedWorkflow("wf_track_b");
    UUID tracking = fixtures.track(first, REMOTE_ID);

    Response again =
        post(
            "/api/v1/executions",
            Map.of("workflowId", second.toString(), "amcExecutionId", REMOTE_ID),
            null);

    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(again.<String>path("detail")).contains(tracking.toString());
    assertThat(fixtures.count("SELECT count(*) FROM workflow_executions")).isEqualTo(1);
    // Another instance may have an execution of the same id: ids are per instance.
    UUID elsewhere = fixtures.savedWorkflow("wf_track_c", "amcinst02");
    assertThat(
            post(
                    "/api/v1/executions",
                    Map.of("workflowId", elsewhere.toString(), "amcExecutionId", REMOTE_ID),
                    null)
                .statusCode())
        .isEqualTo(201);
  }

  @Test
  void shouldNameTheTrackingRowWhenSixteenRaceToTrackOneRemoteExecution() throws Exception {
    UUID workflow = fixtures.savedWorkflow("wf_track_race");
    UUID other = fixtures.savedWorkflow("wf_track_race_other");
    UUID held = UUID.randomUUID();
    List<Future<Response>> answers;
    try (Connection holder = dataSource.getConnection()) {
      holder.setAutoCommit(false);
      try (PreparedStatement execution =
          holder.prepareStatement(
              "INSERT INTO workflow_executions (id, workflow_id, amc_execution_id, status,"
                  + " created_at, updated_at, next_poll_at)"
                  + " VALUES (?, ?, ?, 'PENDING', now(), now(), now())")) {
        execution.setObject(1, held);
        execution.setObject(2, other);
        execution.setString(3, REMOTE_ID);
        execution.executeUpdate();
      }
      answers =
          startTogether(
              () ->
                  post(
                      "/api/v1/executions",
                      Map.of("workflowId", workflow.toString(), "amcExecutionId", REMOTE_ID),
                      null));
      fixtures.awaitLockWaiters(CLIENTS);
      holder.commit();
    }

    for (Future<Response> answer : answers) {
      Response response = answer.get(AWAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(response.statusCode()).as(response.asString()).isEqualTo(409);
      assertThat(response.<String>path("detail")).contains(held.toString());
    }
    assertThat(fixtures.count("SELECT count(*) FROM workflow_executions")).isEqualTo(1);
  }

  /**
   * Sixteen operators retry one finished execution at once. A held retry row of the same execution
   * keeps all sixteen waiting on the one-retry-per-execution index until it is rolled back; then
   * exactly one creates the retry and the others are answered 409 naming it.
   */
  @Test
  void shouldCreateOneRetryWhenSixteenOperatorsRetryAFinishedExecutionAtOnce() throws Exception {
    UUID failed = fixtures.submit(fixtures.savedWorkflow("wf_retried"));
    fixtures.update("UPDATE workflow_executions SET status = 'FAILED' WHERE id = '" + failed + "'");
    List<Future<Response>> answers;
    try (Connection holder = dataSource.getConnection()) {
      holder.setAutoCommit(false);
      try (PreparedStatement held =
          holder.prepareStatement(
              "INSERT INTO workflow_executions (id, workflow_id, status, created_at, updated_at,"
                  + " next_poll_at, parameters, time_window, retry_of)"
                  + " SELECT gen_random_uuid(), workflow_id, 'PENDING', now(), now(), now(),"
                  + " parameters, time_window, id FROM workflow_executions WHERE id = ?")) {
        held.setObject(1, failed);
        assertThat(held.executeUpdate()).isEqualTo(1);
      }
      answers = startTogether(() -> operator().post("/api/v1/executions/{id}/retry", failed));
      fixtures.awaitLockWaiters(CLIENTS);
      holder.rollback();
    }

    List<Response> created = new ArrayList<>();
    List<Response> refused = new ArrayList<>();
    for (Future<Response> answer : answers) {
      Response response = answer.get(AWAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(response.statusCode()).as(response.asString()).isIn(201, 409);
      (response.statusCode() == 201 ? created : refused).add(response);
    }
    assertThat(created).hasSize(1);
    String retryId = created.get(0).jsonPath().getString("retryId");
    assertThat(refused)
        .hasSize(CLIENTS - 1)
        .allSatisfy(r -> assertThat(r.jsonPath().getString("detail")).contains(retryId));
    assertThat(
            fixtures.count(
                "SELECT count(*) FROM workflow_executions WHERE retry_of = '" + failed + "'"))
        .isEqualTo(1);
  }

  /** Runs {@code call} on {@link #CLIENTS} threads released together by one latch. */
  private <T> List<Future<T>> startTogether(Callable<T> call) throws InterruptedException {
    CountDownLatch ready = new CountDownLatch(CLIENTS);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<T>> futures = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      futures.add(
          pool.submit(
              () -> {
                ready.countDown();
                go.await();
                return call.call();
              }));
    }
    ready.await();
    go.countDown();
    return futures;
  }

  private static Response post(String path, Map<String, Object> body, String idempotencyKey) {
    var request = operator().contentType(ContentType.JSON).body(body);
    if (idempotencyKey != null) {
      request = request.header("Idempotency-Key", idempotencyKey);
    }
    return request.post(path);
  }
}
