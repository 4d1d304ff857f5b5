package io.executionpoller.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.agroal.api.AgroalDataSource;
import io.executionpoller.execution.EventRows;
import io.executionpoller.execution.EventType;
import io.executionpoller.execution.ExecutionStatus;
import io.executionpoller.poll.PollCycle;
import io.executionpoller.simulator.AmcSimulator;
import io.executionpoller.support.Api;
import io.executionpoller.support.Fixtures;
import io.executionpoller.support.PostgresResource;
import io.executionpoller.support.TestClock;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The outbox trigger: which audit events owe which notifications, that the row commits or rolls
 * back with its event, and the first sighting of a stuck execution.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class OutboxTest {

  private static final List<String> ALL =
      Arrays.stream(WebhookEvent.values()).map(WebhookEvent::wireName).toList();

  @Inject Fixtures fixtures;
  @Inject AgroalDataSource dataSource;
  @Inject TestClock clock;
  @Inject StuckSightings sightings;
  @Inject PollCycle cycle;
  @Inject AmcSimulator simulator;

  @BeforeEach
  void clean() {
    fixtures.reset();
  }

  private void subscribeToAll() {
    Api.operator()
        .contentType(ContentType.JSON)
        .body(Map.of("url", "http://127.0.0.1:9/hook", "eventTypes", ALL))
        .post("/api/v1/subscriptions")
        .then()
        .statusCode(201);
  }

  record Case(EventType type, ExecutionStatus to, List<String> kinds) {}

  static List<Case> events() {
    return List.of(
        new Case(EventType.TRANSITION, ExecutionStatus.FAILED, List.of("execution.failed")),
        new Case(EventType.TRANSITION, ExecutionStatus.CANCELLED, List.of("execution.cancelled")),
        new Case(EventType.TRANSITION, ExecutionStatus.TIMEOUT, List.of("execution.timed_out")),
        new Case(EventType.TRANSITION, ExecutionStatus.SUCCESS, List.of()),
        new Case(EventType.TRANSITION, ExecutionStatus.RUNNING, List.of()),
        new Case(EventType.RESULT_STORED, null, List.of("execution.succeeded")),
        new Case(EventType.RESULT_FAILED, null, List.of("execution.succeeded", "result.failed")),
        new Case(EventType.RESULT_UNDELIVERABLE, null, List.of("execution.succeeded")),
        new Case(EventType.LONG_EXECUTION, null, List.of("execution.long_running")),
        new Case(EventType.STUCK, null, List.of("execution.stuck")),
        new Case(EventType.RETRY, null, List.of()),
        new Case(EventType.RESULT_RETRY, null, List.of()),
        new Case(EventType.CHECK_FAILED, null, List.of()));
  }

  @ParameterizedTest
  @MethodSource("events")
  void shouldOweTheNotificationsItsEventStandsFor(Case event) throws Exception {
    subscribeToAll();
    UUID execution = fixtures.submit(fixtures.savedWorkflow("wf_kinds"));

    try (Connection connection = dataSource.getConnection()) {
      EventRows.insert(
          connection, execution, clock.instant(), event.type(), null, event.to(), "m", "r");
    }

    assertThat(
            fixtures.query(
                "SELECT event_type FROM webhook_deliveries WHERE execution_id = ?"
                    + " ORDER BY event_type",
                execution))
        .extracting(row -> row.get("event_type"))
        .containsExactlyElementsOf(event.kinds());
  }

  @Test
  void shouldRollTheOutboxRowBackWithItsEvent() throws Exception {
    subscribeToAll();
    UUID execution = fixtures.submit(fixtures.savedWorkflow("wf_rollback"));

    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      EventRows.insert(
          connection,
          execution,
          clock.instant(),
          EventType.TRANSITION,
          ExecutionStatus.RUNNING,
          ExecutionStatus.FAILED,
          null,
          "r");
      assertThat(
              fixtures.count(
                  "SELECT count(*) FROM webhook_deliveries WHERE execution_id = ?", execution))
          .as("not visible before the commit")
          .isZero();
      connection.rollback();
    }

    assertThat(
            fixtures.count(
                "SELECT count(*) FROM webhook_deliveries WHERE execution_id = ?", execution))
        .isZero();
  }

  @Test
  void shouldRecordAStuckExecutionOncePerReasonAndOweItsNotificationOnce() {
    subscribeToAll();
    UUID execution = fixtures.submit(fixtures.savedWorkflow("wf_stuck"));
    // Never checked: the execution is overdue and, later, pending too long.
    clock.advance(Duration.ofHours(3));

    int first = sightings.record();
    int again = sightings.record();

    assertThat(first).isPositive();
    assertThat(again).as("a sighting is recorded once").isZero();
    List<Map<String, Object>> stuck =
        fixtures.query(
            "SELECT message FROM execution_events WHERE execution_id = ? AND type = 'STUCK'",
            execution);
    assertThat(stuck).hasSize(first);
    assertThat(
            fixtures.count(
                "SELECT count(*) FROM webhook_deliveries WHERE execution_id = ?"
                    + " AND event_type = 'execution.stuck'",
                execution))
        .isEqualTo(first);
  }

  @Test
  void shouldSendACallbackUrlsDeliveriesOnlyForItsExecutionAndShowItsSecretOnce() {
    UUID workflow = fixtures.savedWorkflow("wf_callback");
    Response registered =
        Api.operator()
            .contentType(ContentType.JSON)
            .body(Map.of("workflowId", workflow.toString(), "callbackUrl", "http://127.0.0.1:9/cb"))
            .post("/api/v1/executions");
    registered.then().statusCode(201);
    assertThat(registered.header(ExecutionCallbacks.SECRET_HEADER)).startsWith("whsec_");
    assertThat(registered.asString()).doesNotContain("whsec_");
    UUID execution = UUID.fromString(registered.path("id"));
    UUID other = fixtures.submit(workflow);

    try (Connection connection = dataSource.getConnection()) {
      for (UUID id : List.of(execution, other)) {
        EventRows.insert(
            connection,
            id,
            clock.instant(),
            EventType.TRANSITION,
            ExecutionStatus.PENDING,
            ExecutionStatus.CANCELLED,
            null,
            "r");
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }

    assertThat(
            fixtures.count(
                "SELECT count(*) FROM webhook_deliveries WHERE execution_id = ?", execution))
        .isEqualTo(1);
    assertThat(
            fixtures.count("SELECT count(*) FROM webhook_deliveries WHERE execution_id = ?", other))
        .isZero();

    Api.operator()
        .contentType(ContentType.JSON)
        .body(Map.of("workflowId", workflow.toString(), "callbackUrl", "https://example.com/cb"))
        .post("/api/v1/executions")
        .then()
        .statusCode(400);
  }
}
