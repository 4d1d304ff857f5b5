package io.executionpoller.poll;

import static io.executionpoller.execution.ExecutionStatus.CANCELLED;
import static io.executionpoller.execution.ExecutionStatus.FAILED;
import static io.executionpoller.execution.ExecutionStatus.PENDING;
import static io.executionpoller.execution.ExecutionStatus.RUNNING;
import static io.executionpoller.execution.ExecutionStatus.SUCCESS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.executionpoller.execution.EventType;
import io.executionpoller.execution.ExecutionStatus;
import io.executionpoller.execution.NewEvent;
import io.executionpoller.execution.RuntimeLimit;
import io.executionpoller.execution.TimeWindow;
import io.executionpoller.failure.BackoffPolicy;
import io.executionpoller.failure.ErrorType;
import io.executionpoller.failure.FailureFacts;
import io.executionpoller.remote.CallDeferred;
import io.executionpoller.remote.RemoteCallException;
import io.executionpoller.remote.RemoteCallException.Kind;
import io.executionpoller.remote.RemoteExecution;
import io.executionpoller.remote.RemoteFailures;
import io.executionpoller.remote.RemoteTarget;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class WritePlannerTest {

  private static final Instant NOW = Instant.parse("2024-03-04T10:15:30Z");
  private static final Duration INTERVAL = Duration.ofSeconds(15);
  private static final Instant NEXT = Instant.parse("2024-03-04T10:15:45Z");
  private static final int MAX_ERRORS = 5;

  private static final UUID ID = UUID.fromString("6f1c2d3e-4a5b-4c6d-8e7f-901a2b3c4d5e");
  private static final UUID WORKFLOW_UUID = UUID.fromString("0b1c2d3e-4a5b-4c6d-8e7f-901a2b3c4d5e");
  private static final String AMC_ID = "a111111c-111f-1111-b1f1-11d111f1c1d1";
  private static final String WORKFLOW = "weekly_reach_report";
  private static final Instant EXPIRE = Instant.parse("2024-03-05T10:00:00Z");
  private static final int REMOTE_TIMEOUT = 21600;
  private static final RemoteTarget TARGET =
      new RemoteTarget("amcinst01", "ENTITY1AA1AA11AAA1", "ATVPDKIKX0DER", null);

  private static final int MAX_RETRIES = 3;
  private static final RuntimeLimit.Defaults RUNTIME =
      new RuntimeLimit.Defaults(Duration.ofHours(6), Duration.ofMinutes(15), 0.8);

  /**
   * A check backoff pinned to the interval, so most expectations read NEXT; backoff has its own.
   */
  private static final WritePlanner.Settings SETTINGS =
      new WritePlanner.Settings(
          INTERVAL,
          MAX_ERRORS,
          new BackoffPolicy(INTERVAL, INTERVAL, INTERVAL),
          Duration.ofMinutes(15),
          MAX_RETRIES,
          new BackoffPolicy(Duration.ofSeconds(60), Duration.ofSeconds(300), Duration.ZERO),
          Duration.ofSeconds(10),
          RUNTIME);

  private final WritePlanner planner = new WritePlanner(SETTINGS, new SplittableRandom(42));

  // ---------------------------------------------------------------------------------------------
  // Builders

  private static ClaimedExecution claimed(
      ExecutionStatus status,
      String remoteStatus,
      String amcExecutionId,
      int consecutivePollErrors,
      Instant startedAt) {
    return claimed(status, remoteStatus, amcExecutionId, consecutivePollErrors, startedAt, 0);
  }

  private static ClaimedExecution claimed(
      ExecutionStatus status,
      String remoteStatus,
      String amcExecutionId,
      int consecutivePollErrors,
      Instant startedAt,
      int retryCount) {
    return claimed(
        status,
        remoteStatus,
        amcExecutionId,
        consecutivePollErrors,
        startedAt,
        retryCount,
        new ClaimedExecution.RuntimeFacts(null, null, null, null));
  }

  private static ClaimedExecution claimed(
      ExecutionStatus status,
      String remoteStatus,
      String amcExecutionId,
      int consecutivePollErrors,
      Instant startedAt,
      int retryCount,
      ClaimedExecution.RuntimeFacts runtime) {
    return new ClaimedExecution(
        ID,
        WORKFLOW_UUID,
        7L,
        status,
        remoteStatus,
        amcExecutionId,
        retryCount,
        consecutivePollErrors,
        startedAt,
        null,
        TARGET,
        WORKFLOW,
        null,
        Map.of("campaignId", "123"),
        new TimeWindow("MOST_RECENT_WEEK", null, null, "UTC"),
        runtime,
        NOW.plusSeconds(120),
        null);
  }

  /** A tracked execution: submitted, checked at least once. */
  private static ClaimedExecution tracked(ExecutionStatus status, String remoteStatus) {
    return claimed(
        status, remoteStatus, AMC_ID, 0, status == RUNNING ? NOW.minusSeconds(600) : null);
  }

  /** An execution not submitted to AMC yet. */
  private static ClaimedExecution unsubmitted() {
    return claimed(PENDING, null, null, 0, null);
  }

  private static RemoteExecution remote(String status, String statusReason) {
    return new RemoteExecution(
        AMC_ID,
        WORKFLOW,
        status,
        statusReason,
        Instant.parse("2024-03-04T10:00:00Z"),
        NOW.minusSeconds(5),
        EXPIRE,
        REMOTE_TIMEOUT);
  }

  private WritePlan observe(ClaimedExecution execution, RemoteExecution remote) {
    return planner.plan(new CheckOutcome.Observed(execution, remote), NOW);
  }

  private WritePlan fail(ClaimedExecution execution, Throwable failure) {
    return planner.plan(new CheckOutcome.Failed(execution, failure), NOW);
  }

  private static NewEvent transition(
      ExecutionStatus from, ExecutionStatus to, String remoteStatus, String message) {
    return new NewEvent(EventType.TRANSITION, from, to, remoteStatus, message);
  }

  /** The error type an update writes, by name as the column holds it; null when it writes none. */
  private static String errorType(WritePlan.Update update) {
    return update.errors().type() == null ? null : update.errors().type().name();
  }

  private static WritePlan.Update asUpdate(WritePlan plan) {
    assertThat(plan).isInstanceOf(WritePlan.Update.class);
    return (WritePlan.Update) plan;
  }

  // ---------------------------------------------------------------------------------------------
  // Observations that change nothing

  @ParameterizedTest(name = "local {0}, stored [{1}], AMC says [{2}]")
  @CsvSource({
    "PENDING, PENDING,    PENDING",
    "RUNNING, RUNNING,    RUNNING",
    "RUNNING, RUNNING,    PUBLISHING",
    "RUNNING, PUBLISHING, RUNNING",
    "RUNNING, PUBLISHING, PUBLISHING",
  })
  void shouldRescheduleAnUnchangedObservationOneIntervalLater(
      ExecutionStatus local, String stored, String observed) {
    ClaimedExecution execution = tracked(local, stored);

    assertThat(observe(execution, remote(observed, null)))
        .isEqualTo(new WritePlan.Reschedule(execution, observed, NOW.plus(INTERVAL)));
  }

  @Test
  void shouldRescheduleAtNowPlusTheConfiguredInterval() {
    WritePlanner slow =
        new WritePlanner(
            new WritePlanner.Settings(
                Duration.ofMinutes(2),
                5,
                SETTINGS.checkBackoff(),
                SETTINGS.retryAfterMax(),
                MAX_RETRIES,
                SETTINGS.resubmitBackoff(),
                SETTINGS.deferralSpread(),
                RUNTIME),
            new SplittableRandom(1));
    ClaimedExecution execution = tracked(RUNNING, "RUNNING");

    WritePlan plan = slow.plan(new CheckOutcome.Observed(execution, remote("RUNNING", null)), NOW);

    assertThat(plan)
        .isEqualTo(
            new WritePlan.Reschedule(execution, "RUNNING", Instant.parse("2024-03-04T10:17:30Z")));
  }

  // ---------------------------------------------------------------------------------------------
  // Observations that advance the status

  @Test
  void shouldWalkThroughRunningWhenPendingObservesSucceeded() {
    ClaimedExecution execution = tracked(PENDING, "PENDING");

    WritePlan plan = observe(execution, remote("SUCCEEDED", null));

    assertThat(plan)
        .isEqualTo(
            new WritePlan.Update(
                execution,
                SUCCESS,
                new WritePlan.Remote(AMC_ID, "SUCCEEDED", null, EXPIRE, REMOTE_TIMEOUT),
                new WritePlan.Times(null, NOW, NOW, 0),
                new WritePlan.Errors(0, null, null, null, null),
                NEXT,
                List.of(
                    transition(PENDING, RUNNING, "SUCCEEDED", null),
                    transition(RUNNING, SUCCESS, "SUCCEEDED", null))));
    assertThat(((WritePlan.Update) plan).transitions()).isEqualTo(2);
  }

  @Test
  void shouldStartTheClockWhenPendingObservesRunning() {
    ClaimedExecution execution = tracked(PENDING, "PENDING");

    WritePlan.Update update = asUpdate(observe(execution, remote("RUNNING", null)));

    assertThat(update.newStatus()).isEqualTo(RUNNING);
    assertThat(update.times().startedAt()).isEqualTo(NOW);
    assertThat(update.times().completedAt()).isNull();
    assertThat(update.times().durationSeconds()).isNull();
    assertThat(errorType(update)).isNull();
    assertThat(update.events()).containsExactly(transition(PENDING, RUNNING, "RUNNING", null));
    assertThat(update.nextPollAt()).isEqualTo(NEXT);
  }

  @Test
  void shouldTreatPublishingAsRunningWhenPendingObservesIt() {
    WritePlan.Update update =
        asUpdate(observe(tracked(PENDING, "PENDING"), remote("PUBLISHING", null)));

    assertThat(update.newStatus()).isEqualTo(RUNNING);
    assertThat(update.remote().status()).isEqualTo("PUBLISHING");
    assertThat(update.events()).containsExactly(transition(PENDING, RUNNING, "PUBLISHING", null));
  }

  @Test
  void shouldKeepTheStartTimeAndMeasureTheDurationWhenRunningSucceeds() {
    Instant started = NOW.minusSeconds(600);
    ClaimedExecution execution = claimed(RUNNING, "RUNNING", AMC_ID, 0, started);

    WritePlan.Update update = asUpdate(observe(execution, remote("SUCCEEDED", null)));

    assertThat(update.newStatus()).isEqualTo(SUCCESS);
    assertThat(update.times().startedAt()).isEqualTo(started);
    assertThat(update.times().completedAt()).isEqualTo(NOW);
    assertThat(update.times().durationSeconds()).isEqualTo(600);
    assertThat(update.times().submittedAt()).isNull();
    assertThat(update.events()).containsExactly(transition(RUNNING, SUCCESS, "SUCCEEDED", null));
  }

  @Test
  void shouldCompleteWithoutErrorWhenRunningIsCancelled() {
    WritePlan.Update update =
        asUpdate(observe(tracked(RUNNING, "RUNNING"), remote("CANCELLED", "Cancelled by user")));

    assertThat(update.newStatus()).isEqualTo(CANCELLED);
    assertThat(update.times().completedAt()).isEqualTo(NOW);
    assertThat(errorType(update)).isNull();
    assertThat(update.errors().message()).isNull();
    assertThat(update.remote().statusReason()).isEqualTo("Cancelled by user");
    assertThat(update.events())
        .containsExactly(transition(RUNNING, CANCELLED, "CANCELLED", "Cancelled by user"));
  }

  @Test
  void shouldResetTheConsecutiveErrorsOnASuccessfulObservation() {
    ClaimedExecution execution = claimed(RUNNING, "RUNNING", AMC_ID, 3, NOW.minusSeconds(60));

    WritePlan.Update update = asUpdate(observe(execution, remote("SUCCEEDED", null)));

    assertThat(update.errors().checksFailedInARow()).isZero();
    assertThat(update.errors().lastError()).isNull();
    assertThat(update.errors().lastErrorAt()).isNull();
  }

  // ---------------------------------------------------------------------------------------------
  // FAILED observations

  static Stream<Arguments> failedObservations() {
    return Stream.of(
        Arguments.of("FAILED", "line 3:8: Column 'impresions' cannot be resolved", "QUERY_ERROR"),
        Arguments.of("FAILED", "Execution exceeded the maximum execution time", "TIMEOUT_ERROR"),
        Arguments.of(
            "FAILED", "Terms and conditions must be accepted to continue", "PERMISSION_ERROR"),
        Arguments.of("FAILED", "Internal server error", "AMC_API_ERROR"),
        Arguments.of("FAILED", "Connection reset by peer", "NETWORK_ERROR"),
        Arguments.of(
            "REJECTED",
            "Execution \"x\" of workflow \"y\" could not be run because too many workflows have"
                + " already been run against the same input data sources in the same or"
                + " overlapping time windows.",
            "RESOURCE_ERROR"),
        Arguments.of("FAILED", "Query timeout", "QUERY_ERROR"),
        Arguments.of("FAILED", "Invalid pagination token format in query", "UNKNOWN_ERROR"));
  }

  @ParameterizedTest(name = "{0} [{1}] -> {2}")
  @MethodSource("failedObservations")
  void shouldClassifyTheStatusReasonOfAFailedExecution(
      String remoteStatus, String reason, String errorType) {
    // Retries used up, so every type ends FAILED here; resubmission has its own tests.
    ClaimedExecution execution =
        claimed(RUNNING, "RUNNING", AMC_ID, 0, NOW.minusSeconds(600), MAX_RETRIES);

    WritePlan.Update update = asUpdate(observe(execution, remote(remoteStatus, reason)));

    assertThat(update.newStatus()).isEqualTo(FAILED);
    assertThat(errorType(update)).isEqualTo(errorType);
    assertThat(update.errors().message()).isEqualTo(reason);
    assertThat(update.remote().statusReason()).isEqualTo(reason);
    assertThat(update.times().completedAt()).isEqualTo(NOW);
    assertThat(update.times().durationSeconds()).isEqualTo(600);
    assertThat(update.events()).containsExactly(transition(RUNNING, FAILED, remoteStatus, reason));
  }

  @ParameterizedTest(name = "{0} without a reason")
  @CsvSource({"FAILED", "REJECTED"})
  void shouldSayWhatAmcReportedWhenAFailureHasNoReason(String remoteStatus) {
    WritePlan.Update update =
        asUpdate(observe(tracked(PENDING, "PENDING"), remote(remoteStatus, null)));

    assertThat(update.newStatus()).isEqualTo(FAILED);
    assertThat(errorType(update)).isEqualTo("UNKNOWN_ERROR");
    assertThat(update.errors().message()).isEqualTo("AMC reported " + remoteStatus);
    assertThat(update.times().startedAt()).isNull();
    assertThat(update.times().completedAt()).isEqualTo(NOW);
    assertThat(update.times().durationSeconds()).isNull();
    assertThat(update.events()).containsExactly(transition(PENDING, FAILED, remoteStatus, null));
  }

  // ---------------------------------------------------------------------------------------------
  // Submissions

  @Test
  void shouldRecordTheRemoteIdAndSubmissionTimeWhenAmcAcceptsACreate() {
    ClaimedExecution execution = unsubmitted();

    WritePlan plan =
        planner.plan(new CheckOutcome.Submitted(execution, remote("PENDING", null), false), NOW);

    assertThat(plan)
        .isEqualTo(
            new WritePlan.Update(
                execution,
                PENDING,
                new WritePlan.Remote(AMC_ID, "PENDING", null, EXPIRE, REMOTE_TIMEOUT),
                new WritePlan.Times(NOW, null, null, null),
                new WritePlan.Errors(0, null, null, null, null),
                NEXT,
                List.of(
                    new NewEvent(
                        EventType.SUBMITTED, null, null, "PENDING", "remote id " + AMC_ID))));
  }

  @Test
  void shouldRecordTheSubmissionBeforeTheTransitionWhenTheCreateAnswersRunning() {
    ClaimedExecution execution = unsubmitted();

    WritePlan.Update update =
        asUpdate(
            planner.plan(
                new CheckOutcome.Submitted(execution, remote("RUNNING", null), false), NOW));

    assertThat(update.newStatus()).isEqualTo(RUNNING);
    assertThat(update.times().submittedAt()).isEqualTo(NOW);
    assertThat(update.times().startedAt()).isEqualTo(NOW);
    assertThat(update.remote().amcExecutionId()).isEqualTo(AMC_ID);
    assertThat(update.events())
        .containsExactly(
            new NewEvent(EventType.SUBMITTED, null, null, "RUNNING", "remote id " + AMC_ID),
            transition(PENDING, RUNNING, "RUNNING", null));
  }

  @Test
  void shouldRecordBothTheSubmissionAndTheUnknownStatusWhenTheCreateAnswersAnUnknownStatus() {
    ClaimedExecution execution = unsubmitted();

    WritePlan.Update update =
        asUpdate(
            planner.plan(
                new CheckOutcome.Submitted(execution, remote("QUEUED", null), false), NOW));

    assertThat(update.newStatus()).isEqualTo(PENDING);
    assertThat(update.times().submittedAt()).isEqualTo(NOW);
    assertThat(update.events())
        .containsExactly(
            new NewEvent(EventType.SUBMITTED, null, null, "QUEUED", "remote id " + AMC_ID),
            new NewEvent(
                EventType.UNKNOWN_REMOTE_STATUS,
                null,
                null,
                "QUEUED",
                "AMC answered unknown status 'QUEUED'; not applied"));
  }

  // ---------------------------------------------------------------------------------------------
  // Unknown and forbidden remote statuses

  @Test
  void shouldRecordAnUnknownRemoteStatusTheFirstTimeWithoutChangingTheStatus() {
    ClaimedExecution execution = tracked(RUNNING, "RUNNING");

    WritePlan.Update update = asUpdate(observe(execution, remote("ARCHIVED", null)));

    assertThat(update.newStatus()).isEqualTo(RUNNING);
    assertThat(update.remote().status()).isEqualTo("ARCHIVED");
    assertThat(update.times().completedAt()).isNull();
    assertThat(errorType(update)).isNull();
    assertThat(update.nextPollAt()).isEqualTo(NEXT);
    assertThat(update.events())
        .containsExactly(
            new NewEvent(
                EventType.UNKNOWN_REMOTE_STATUS,
                null,
                null,
                "ARCHIVED",
                "AMC answered unknown status 'ARCHIVED'; not applied"));
    assertThat(update.transitions()).isZero();
  }

  @Test
  void shouldOnlyRescheduleWhenTheSameUnknownRemoteStatusIsSeenAgain() {
    ClaimedExecution execution = tracked(RUNNING, "ARCHIVED");

    assertThat(observe(execution, remote("ARCHIVED", null)))
        .isEqualTo(new WritePlan.Reschedule(execution, "ARCHIVED", NEXT));
  }

  @Test
  void shouldRecordAnotherUnknownRemoteStatusWhenItsTextChanges() {
    ClaimedExecution execution = tracked(RUNNING, "ARCHIVED");

    WritePlan.Update update = asUpdate(observe(execution, remote("PURGED", null)));

    assertThat(update.newStatus()).isEqualTo(RUNNING);
    assertThat(update.events())
        .extracting(NewEvent::type)
        .containsExactly(EventType.UNKNOWN_REMOTE_STATUS);
  }

  @Test
  void shouldRecordAForbiddenTransitionTheFirstTimeWithoutApplyingIt() {
    ClaimedExecution execution = tracked(RUNNING, "RUNNING");

    WritePlan.Update update = asUpdate(observe(execution, remote("PENDING", null)));

    assertThat(update.newStatus()).isEqualTo(RUNNING);
    assertThat(update.remote().status()).isEqualTo("PENDING");
    assertThat(update.events())
        .containsExactly(
            new NewEvent(
                EventType.TRANSITION_REJECTED,
                RUNNING,
                PENDING,
                "PENDING",
                "transition RUNNING->PENDING is not allowed"));
  }

  @Test
  void shouldOnlyRescheduleWhenTheSameForbiddenStatusIsSeenAgain() {
    ClaimedExecution execution = tracked(RUNNING, "PENDING");

    assertThat(observe(execution, remote("PENDING", null)))
        .isEqualTo(new WritePlan.Reschedule(execution, "PENDING", NEXT));
  }

  // ---------------------------------------------------------------------------------------------
  // Failed checks

  @Test
  void shouldCountAFailedCheckAndKeepTheStatus() {
    ClaimedExecution execution = claimed(RUNNING, "RUNNING", AMC_ID, 0, NOW.minusSeconds(600));
    RemoteCallException failure =
        new RemoteCallException(
            "get execution",
            Kind.CONNECTION,
            0,
            "ConnectException: Connection refused: advertising-api.amazon.com/52.94.1.1:443",
            null,
            null);
    String message =
        "get execution failed (CONNECTION): ConnectException: Connection refused:"
            + " advertising-api.amazon.com/52.94.1.1:443";

    WritePlan plan = fail(execution, failure);

    assertThat(plan)
        .isEqualTo(
            new WritePlan.Update(
                execution,
                RUNNING,
                new WritePlan.Remote(null, "RUNNING", null, null, null),
                new WritePlan.Times(null, null, null, null),
                new WritePlan.Errors(1, message, NOW, ErrorType.NETWORK_ERROR, null),
                NEXT,
                List.of(
                    new NewEvent(
                        EventType.CHECK_FAILED, null, null, null, "NETWORK_ERROR: " + message))));
  }

  @ParameterizedTest(name = "{0} errors before -> {1} after, status {2}")
  @CsvSource({
    "0, 1, RUNNING",
    "1, 2, RUNNING",
    "2, 3, RUNNING",
    "3, 4, RUNNING",
    "4, 5, FAILED",
  })
  void shouldGiveUpAtTheFifthConsecutiveFailedCheck(int before, int after, ExecutionStatus status) {
    ClaimedExecution execution = claimed(RUNNING, "RUNNING", AMC_ID, before, NOW.minusSeconds(60));

    WritePlan.Update update =
        asUpdate(fail(execution, httpFailure("get execution", 503, "Service Unavailable")));

    assertThat(update.errors().checksFailedInARow()).isEqualTo(after);
    assertThat(update.newStatus()).isEqualTo(status);
    assertThat(errorType(update)).isEqualTo("AMC_API_ERROR");
    assertThat(update.events().get(0).type()).isEqualTo(EventType.CHECK_FAILED);
  }

  @Test
  void shouldFailTheExecutionWithATransitionAndACompletionTimeAtTheFifthFailure() {
    ClaimedExecution execution = claimed(RUNNING, "RUNNING", AMC_ID, 4, NOW.minusSeconds(60));
    String message = "get execution failed (HTTP_STATUS HTTP 503): Service Unavailable";
    String gaveUp = "gave up after 5 failed checks in a row; last: " + message;

    WritePlan plan = fail(execution, httpFailure("get execution", 503, "Service Unavailable"));

    assertThat(plan)
        .isEqualTo(
            new WritePlan.Update(
                execution,
                FAILED,
                new WritePlan.Remote(null, "RUNNING", null, null, null),
                new WritePlan.Times(null, null, NOW, 60),
                new WritePlan.Errors(5, message, NOW, ErrorType.AMC_API_ERROR, gaveUp),
                NEXT,
                List.of(
                    new NewEvent(
                        EventType.CHECK_FAILED, null, null, null, "AMC_API_ERROR: " + message),
                    transition(RUNNING, FAILED, null, gaveUp))));
  }

  @Test
  void shouldFailAPendingExecutionWhoseSubmissionKeepsFailing() {
    ClaimedExecution execution = claimed(PENDING, null, null, 4, null);

    WritePlan.Update update =
        asUpdate(
            fail(
                execution,
                RemoteCallException.of(
                    "create execution",
                    Kind.TIMEOUT,
                    "TimeoutException: no answer within PT30S",
                    null)));

    assertThat(update.newStatus()).isEqualTo(FAILED);
    assertThat(update.times().completedAt()).isEqualTo(NOW);
    assertThat(update.times().submittedAt()).isNull();
    assertThat(update.times().durationSeconds()).as("it never started").isNull();
    assertThat(errorType(update)).isEqualTo("NETWORK_ERROR");
    assertThat(update.events())
        .extracting(NewEvent::type, NewEvent::from, NewEvent::to)
        .containsExactly(
            tuple(EventType.CHECK_FAILED, null, null),
            tuple(EventType.TRANSITION, PENDING, FAILED));
  }

  private static RemoteCallException httpFailure(String operation, int status, String body) {
    return new RemoteCallException(operation, Kind.HTTP_STATUS, status, body, null, null);
  }

  static Stream<Arguments> failures() {
    return Stream.of(
        Arguments.of(httpFailure("get execution", 500, "{\"code\":\"500\"}"), "AMC_API_ERROR"),
        Arguments.of(
            httpFailure(
                "get execution",
                401,
                "{\"code\":\"401\",\"details\":\"Authentication failed\","
                    + "\"requestId\":\"K144VZX9J0CCDG4229C5\"}"),
            "AUTHENTICATION_ERROR"),
        Arguments.of(
            httpFailure("get execution", 403, "{\"message\":\"Forbidden\"}"), "PERMISSION_ERROR"),
        Arguments.of(httpFailure("get execution", 404, "{\"code\":\"404\"}"), "AMC_API_ERROR"),
        Arguments.of(
            httpFailure("get execution", 429, "{\"message\":\"Too Many Requests\"}"),
            "RESOURCE_ERROR"),
        Arguments.of(
            httpFailure(
                "token refresh",
                400,
                "{\"error_description\":\"The request has an invalid grant parameter :"
                    + " refresh_token\",\"error\":\"invalid_grant\"}"),
            "AUTHENTICATION_ERROR"),
        Arguments.of(
            httpFailure("get download urls", 404, "{\"details\":\"Not Found\"}"), "AMC_API_ERROR"),
        Arguments.of(
            RemoteCallException.of("get execution", Kind.TIMEOUT, "no answer", null),
            "NETWORK_ERROR"),
        Arguments.of(
            RemoteCallException.of(
                "get execution", Kind.MALFORMED_RESPONSE, "execution body lacks status", null),
            "AMC_API_ERROR"),
        Arguments.of(
            RemoteCallException.of("token refresh", Kind.NOT_CONFIGURED, "no credentials", null),
            "AUTHENTICATION_ERROR"),
        Arguments.of(
            RemoteCallException.of("get execution", Kind.UNEXPECTED, "boom", null),
            "UNKNOWN_ERROR"),
        Arguments.of(new TimeoutException("no answer within PT1M30S"), "NETWORK_ERROR"),
        Arguments.of(new IllegalStateException("boom"), "UNKNOWN_ERROR"));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("failures")
  void shouldClassifyAFailedCheckFromWhatTheFailureSays(Throwable failure, String errorType) {
    WritePlan.Update update = asUpdate(fail(tracked(RUNNING, "RUNNING"), failure));

    assertThat(errorType(update)).isEqualTo(errorType);
    assertThat(update.newStatus()).isEqualTo(RUNNING);
    assertThat(update.errors().lastErrorAt()).isEqualTo(NOW);
  }

  @Test
  void shouldDescribeAFailureWithoutMessageByItsClassName() {
    WritePlan.Update update = asUpdate(fail(tracked(RUNNING, "RUNNING"), new TimeoutException()));

    assertThat(update.errors().lastError()).isEqualTo("TimeoutException");
    assertThat(update.events())
        .containsExactly(
            new NewEvent(
                EventType.CHECK_FAILED, null, null, null, "NETWORK_ERROR: TimeoutException"));
  }

  @ParameterizedTest(name = "[{0}] -> {1}")
  @CsvSource({
    "create execution,  CREATE",
    "token refresh,     TOKEN",
    "get execution,     CHECK",
    "cancel execution,  CHECK",
    "get download urls, CHECK",
  })
  void shouldTellTheClassifierWhichCallFailed(String operation, FailureFacts.Operation expected) {
    FailureFacts facts = RemoteFailures.facts(httpFailure(operation, 400, "{}"));

    assertThat(facts).isEqualTo(new FailureFacts(FailureFacts.Transport.NONE, 400, expected, "{}"));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "HTTP_STATUS,        NONE",
    "TIMEOUT,            TIMEOUT",
    "CONNECTION,         CONNECTION",
    "MALFORMED_RESPONSE, MALFORMED",
    "NOT_CONFIGURED,     NOT_CONFIGURED",
    "UNEXPECTED,         UNEXPECTED",
  })
  void shouldTellTheClassifierWhatTheTransportSaw(Kind kind, FailureFacts.Transport expected) {
    FailureFacts facts =
        RemoteFailures.facts(RemoteCallException.of("get execution", kind, "x", null));

    assertThat(facts.transport()).isEqualTo(expected);
    assertThat(facts.operation()).isEqualTo(FailureFacts.Operation.CHECK);
  }

  // ---------------------------------------------------------------------------------------------
  // Lost claims

  @Test
  void shouldWriteNothingWhenTheClaimWasLost() {
    ClaimedExecution execution = tracked(RUNNING, "RUNNING");

    assertThat(planner.plan(new CheckOutcome.LostClaim(execution), NOW))
        .isEqualTo(new WritePlan.Skip(execution));
  }

  // ---------------------------------------------------------------------------------------------
  // Resubmission (RETRY) of failed remote executions and refused creates

  static Stream<Arguments> remoteFailuresAndWhetherTheyAreRetried() {
    return Stream.of(
        Arguments.of("FAILED", "Internal error: the query engine failed unexpectedly", true),
        Arguments.of("FAILED", "Connection reset by peer", true),
        Arguments.of(
            "REJECTED",
            "Execution \"x\" of workflow \"y\" could not be run because too many workflows have"
                + " already been run against the same input data sources in the same or"
                + " overlapping time windows.",
            true),
        Arguments.of("FAILED", "Rate exceeded for instance", true),
        Arguments.of("FAILED", "SQL compilation error: unknown column 'clickz'", false),
        Arguments.of("FAILED", "Execution time limit exceeded", false),
        Arguments.of("FAILED", "Access denied to dataset sponsored_ads_traffic", false),
        Arguments.of("FAILED", null, false));
  }

  @ParameterizedTest(name = "{0} [{1}] retried: {2}")
  @MethodSource("remoteFailuresAndWhetherTheyAreRetried")
  void shouldResubmitOnlyRetryableRemoteFailures(
      String remoteStatus, String reason, boolean retried) {
    WritePlan plan = observe(tracked(RUNNING, "RUNNING"), remote(remoteStatus, reason));

    if (retried) {
      assertThat(plan).isInstanceOf(WritePlan.Resubmit.class);
    } else {
      assertThat(asUpdate(plan).newStatus()).isEqualTo(FAILED);
    }
  }

  @Test
  void shouldRecordTheRetryFromRunningWithTheOldRemoteIdAndABackoffWithinTheSeedsBounds() {
    ClaimedExecution execution = tracked(RUNNING, "RUNNING");

    WritePlan.Resubmit plan =
        (WritePlan.Resubmit)
            observe(execution, remote("FAILED", "Internal error: engine failed unexpectedly"));

    assertThat(plan.errorType().name()).isEqualTo("AMC_API_ERROR");
    assertThat(plan.lastErrorAt()).isEqualTo(NOW);
    // Equal jitter over [30 s, 60 s] for the first retry (base 60 s).
    assertThat(plan.nextRetryAt()).isBetween(NOW.plusSeconds(30), NOW.plusSeconds(60));
    assertThat(plan.events()).hasSize(1);
    NewEvent retry = plan.events().get(0);
    assertThat(retry.type()).isEqualTo(EventType.RETRY);
    assertThat(retry.from()).isEqualTo(RUNNING);
    assertThat(retry.to()).isEqualTo(PENDING);
    assertThat(retry.message()).contains("retry 1 of 3");
    assertThat(plan.execution().amcExecutionId()).as("kept for the event").isEqualTo(AMC_ID);
  }

  @Test
  void shouldRetryFromPendingWhenTheExecutionFailedBeforeItRan() {
    WritePlan.Resubmit plan =
        (WritePlan.Resubmit)
            observe(tracked(PENDING, "PENDING"), remote("FAILED", "Internal server error"));

    assertThat(plan.events())
        .extracting(NewEvent::type, NewEvent::from, NewEvent::to)
        .containsExactly(tuple(EventType.RETRY, PENDING, PENDING));
    assertThat(plan.failedAmcExecutionId()).isEqualTo(AMC_ID);
  }

  @Test
  void shouldRecordTheSubmissionBeforeRetryingACreateAnsweredWithRejected() {
    WritePlan.Resubmit plan =
        (WritePlan.Resubmit)
            planner.plan(
                new CheckOutcome.Submitted(
                    unsubmitted(), remote("REJECTED", "Rate exceeded for instance"), false),
                NOW);

    assertThat(plan.events())
        .extracting(NewEvent::type)
        .containsExactly(EventType.SUBMITTED, EventType.RETRY);
    assertThat(plan.failedAmcExecutionId()).isEqualTo(AMC_ID);
  }

  @ParameterizedTest(name = "retry_count {0} -> next retry within [{1} s, {2} s]")
  @CsvSource({"0, 30, 60", "1, 60, 120", "2, 120, 240"})
  void shouldDoubleTheResubmissionWaitUpToTheCap(int retryCount, int low, int high) {
    ClaimedExecution execution =
        claimed(RUNNING, "RUNNING", AMC_ID, 0, NOW.minusSeconds(60), retryCount);

    WritePlan.Resubmit plan =
        (WritePlan.Resubmit) observe(execution, remote("FAILED", "Internal server error"));

    assertThat(plan.nextRetryAt()).isBetween(NOW.plusSeconds(low), NOW.plusSeconds(high));
  }

  @Test
  void shouldFailForGoodOnceTheRetriesAreUsedUp() {
    ClaimedExecution execution =
        claimed(RUNNING, "RUNNING", AMC_ID, 0, NOW.minusSeconds(60), MAX_RETRIES);

    WritePlan.Update update =
        asUpdate(observe(execution, remote("FAILED", "Internal server error")));

    assertThat(update.newStatus()).isEqualTo(FAILED);
    assertThat(errorType(update)).isEqualTo("AMC_API_ERROR");
  }

  @Test
  void shouldFailASubmissionThatAmcRefusesForItsQuery() {
    WritePlan.Update update =
        asUpdate(
            fail(
                unsubmitted(),
                httpFailure(
                    "create execution",
                    400,
                    "{\"code\":\"400\",\"details\":\"SQL compilation error: syntax error line 1"
                        + " at position 7\"}")));

    assertThat(update.newStatus()).isEqualTo(FAILED);
    assertThat(errorType(update)).isEqualTo("QUERY_ERROR");
    assertThat(update.errors().message()).startsWith("AMC refused the create: ");
    assertThat(update.errors().checksFailedInARow()).isZero();
  }

  @Test
  void shouldRetryASubmissionThatAmcRefusesForOverlappingInputs() {
    WritePlan plan =
        fail(
            unsubmitted(),
            httpFailure(
                "create execution",
                400,
                "{\"details\":\"could not be run because too many workflows have already been"
                    + " run against the same input data sources\"}"));

    assertThat(plan).isInstanceOf(WritePlan.Resubmit.class);
    WritePlan.Resubmit resubmit = (WritePlan.Resubmit) plan;
    assertThat(resubmit.errorType().name()).isEqualTo("RESOURCE_ERROR");
    assertThat(resubmit.events())
        .extracting(NewEvent::type, NewEvent::from, NewEvent::to)
        .containsExactly(tuple(EventType.RETRY, PENDING, PENDING));
  }

  @ParameterizedTest(name = "create answered {0}: a failed check, not a refusal")
  @CsvSource({"401", "408", "429", "500", "502", "504"})
  void shouldCountUnclearCreateFailuresAsFailedChecks(int status) {
    WritePlan.Update update =
        asUpdate(fail(unsubmitted(), httpFailure("create execution", status, "{}")));

    assertThat(update.newStatus()).isEqualTo(PENDING);
    assertThat(update.errors().checksFailedInARow()).isEqualTo(1);
  }

  // ---------------------------------------------------------------------------------------------
  // Deferred calls and backoff

  @ParameterizedTest(name = "{0}")
  @CsvSource({"BREAKER_OPEN", "RATE_LIMITED", "CREDENTIALS_REJECTED", "TOKEN_UNAVAILABLE"})
  void shouldDeferWithoutCountingAnythingAgainstTheExecution(CallDeferred.Reason reason) {
    ClaimedExecution execution = claimed(RUNNING, "RUNNING", AMC_ID, 4, NOW.minusSeconds(60));
    Instant retryAt = NOW.plusSeconds(30);

    WritePlan plan = fail(execution, new CallDeferred(reason, retryAt, "test"));

    assertThat(plan).isInstanceOf(WritePlan.Defer.class);
    assertThat(((WritePlan.Defer) plan).nextPollAt()).isBetween(retryAt, retryAt.plusSeconds(10));
  }

  @Test
  void shouldNeverDeferIntoThePast() {
    WritePlan.Defer plan =
        (WritePlan.Defer)
            fail(
                tracked(RUNNING, "RUNNING"),
                new CallDeferred(CallDeferred.Reason.BREAKER_OPEN, NOW.minusSeconds(30), "stale"));

    assertThat(plan.nextPollAt()).isAfterOrEqualTo(NOW.plusSeconds(1));
  }

  private static WritePlanner backoffPlanner(long seed) {
    return new WritePlanner(
        new WritePlanner.Settings(
            INTERVAL,
            MAX_ERRORS,
            new BackoffPolicy(Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofSeconds(1)),
            Duration.ofMinutes(15),
            MAX_RETRIES,
            new BackoffPolicy(Duration.ofSeconds(60), Duration.ofSeconds(300), Duration.ZERO),
            Duration.ofSeconds(10),
            RUNTIME),
        new SplittableRandom(seed));
  }

  @ParameterizedTest(name = "{0} failed checks in a row -> next check within [1 s, {1} s]")
  @CsvSource({"1, 5", "2, 10", "3, 20", "4, 40", "7, 300", "30, 300"})
  void shouldBackOffExponentiallyWithFullJitterAfterFailedChecks(int errorsInARow, int ceiling) {
    WritePlanner planner = backoffPlanner(7);
    long low = Long.MAX_VALUE;
    long high = 0;
    for (int draw = 0; draw < 2000; draw++) {
      Instant next =
          planner.nextCheckAfterFailure(errorsInARow, httpFailure("get execution", 503, "{}"), NOW);
      long waited = Duration.between(NOW, next).toMillis();
      low = Math.min(low, waited);
      high = Math.max(high, waited);
    }
    assertThat(low).isGreaterThanOrEqualTo(1000);
    assertThat(high).isLessThanOrEqualTo(ceiling * 1000L);
    // Full jitter spreads over the whole range, not a narrow band near the ceiling.
    assertThat(low).isLessThan(1000 + (ceiling * 1000L - 1000) / 10 + 1);
    assertThat(high).isGreaterThan(ceiling * 900L - 1);
  }

  @ParameterizedTest(name = "Retry-After [{0}] -> at least {1} s")
  @CsvSource({
    "120, 120",
    "'Mon, 04 Mar 2024 10:25:30 GMT', 600",
    "86400, 900",
  })
  void shouldWaitForRetryAfterWhenItIsLaterThanTheBackoff(String header, long atLeast) {
    RemoteCallException throttled =
        new RemoteCallException(
            "get execution",
            Kind.HTTP_STATUS,
            429,
            "{\"message\":\"Too Many Requests\"}",
            header,
            null);

    Instant next = backoffPlanner(1).nextCheckAfterFailure(1, throttled, NOW);

    assertThat(next).isEqualTo(NOW.plusSeconds(atLeast));
  }

  @ParameterizedTest(name = "Retry-After [{0}] is ignored")
  @CsvSource({"0", "-5", "soon", "'Mon, 04 Mar 2024 09:00:00 GMT'"})
  void shouldKeepTheBackoffWhenRetryAfterIsEarlierOrUnreadable(String header) {
    RemoteCallException throttled =
        new RemoteCallException("get execution", Kind.HTTP_STATUS, 429, "{}", header, null);

    Instant next = backoffPlanner(1).nextCheckAfterFailure(1, throttled, NOW);

    assertThat(next).isBetween(NOW.plusSeconds(1), NOW.plusSeconds(5));
  }

  // ---------------------------------------------------------------------------------------------
  // Runtime limits: one warning, then TIMEOUT

  private static ClaimedExecution runningFor(Duration ran, Instant warnedAt) {
    return claimed(
        RUNNING,
        "RUNNING",
        AMC_ID,
        0,
        NOW.minus(ran),
        0,
        new ClaimedExecution.RuntimeFacts(600, 300, null, warnedAt));
  }

  @ParameterizedTest(name = "running {0} s -> {1}")
  @CsvSource({"299, RESCHEDULE", "300, WARN", "599, WARN", "600, TIMEOUT", "7200, TIMEOUT"})
  void shouldWarnOnceAndTimeOutAtTheLimit(long ranSeconds, String expected) {
    WritePlan plan =
        observe(runningFor(Duration.ofSeconds(ranSeconds), null), remote("RUNNING", null));

    switch (expected) {
      case "RESCHEDULE" -> assertThat(plan).isInstanceOf(WritePlan.Reschedule.class);
      case "WARN" -> {
        WritePlan.Update update = asUpdate(plan);
        assertThat(update.newStatus()).isEqualTo(RUNNING);
        assertThat(update.events())
            .extracting(NewEvent::type)
            .containsExactly(EventType.LONG_EXECUTION);
      }
      default -> {
        WritePlan.Update update = asUpdate(plan);
        assertThat(update.newStatus()).isEqualTo(ExecutionStatus.TIMEOUT);
        assertThat(errorType(update)).isEqualTo("TIMEOUT_ERROR");
        assertThat(update.times().completedAt()).isEqualTo(NOW);
        assertThat(update.times().durationSeconds()).isEqualTo((int) ranSeconds);
        assertThat(update.events())
            .extracting(NewEvent::type, NewEvent::from, NewEvent::to)
            .containsExactly(tuple(EventType.TRANSITION, RUNNING, ExecutionStatus.TIMEOUT));
      }
    }
  }

  @Test
  void shouldNotWarnTwice() {
    WritePlan plan =
        observe(runningFor(Duration.ofSeconds(400), NOW.minusSeconds(60)), remote("RUNNING", null));

    assertThat(plan).isInstanceOf(WritePlan.Reschedule.class);
  }

  @Test
  void shouldLetAFinishedExecutionFinishEvenPastItsLimit() {
    WritePlan.Update update =
        asUpdate(observe(runningFor(Duration.ofHours(2), null), remote("SUCCEEDED", null)));

    assertThat(update.newStatus()).isEqualTo(SUCCESS);
  }
}
