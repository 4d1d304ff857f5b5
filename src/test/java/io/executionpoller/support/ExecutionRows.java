package io.executionpoller.support;

import io.executionpoller.stuck.StuckReason;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.UUID;

/**
 * Puts execution rows straight into a state (stuck, finished long ago, with a result step), with
 * timestamps relative to the test clock: for tests of what reads those states, not of how the loop
 * gets there.
 */
@ApplicationScoped
public class ExecutionRows {

  private final Fixtures fixtures;
  private final TestClock clock;

  ExecutionRows(Fixtures fixtures, TestClock clock) {
    this.fixtures = fixtures;
    this.clock = clock;
  }

  /**
   * A fresh PENDING execution of {@code workflow}, due now, then changed by {@code assignments}
   * (SQL {@code SET} assignments whose {@code %s} are filled with {@code times}).
   */
  public UUID stuck(UUID workflow, String assignments, String... times) {
    UUID execution = fixtures.submit(workflow);
    set(execution, "next_poll_at = %s", ago(0));
    set(execution, assignments, times);
    return execution;
  }

  /**
   * One execution of {@code workflow} stuck for each reason, relative to the test clock; the one
   * failing its checks has {@code failingChecks} in a row, the last with {@code lastError}.
   */
  public Map<StuckReason, UUID> oneStuckPerReason(
      UUID workflow, int failingChecks, String lastError) {
    Map<StuckReason, UUID> stuck = new EnumMap<>(StuckReason.class);
    stuck.put(StuckReason.PENDING_TOO_LONG, stuck(workflow, "created_at = %s", ago(120)));
    stuck.put(
        StuckReason.RUNNING_TOO_LONG,
        stuck(workflow, "status = 'RUNNING', started_at = %s", ago(180)));
    stuck.put(
        StuckReason.PAST_REMOTE_EXPIRY,
        stuck(workflow, "amc_execution_id = 'exp-1', remote_expire_time = %s", ago(1)));
    stuck.put(
        StuckReason.LEASE_EXPIRED,
        stuck(workflow, "lease_owner = 'replica-dead', lease_expires_at = %s", ago(5)));
    stuck.put(StuckReason.CHECK_OVERDUE, stuck(workflow, "next_poll_at = %s", ago(10)));
    stuck.put(
        StuckReason.FAILING_CHECKS,
        stuck(
            workflow,
            "consecutive_poll_errors = "
                + failingChecks
                + ", last_error_at = %s, last_error = '"
                + lastError
                + "'",
            ago(1)));
    UUID failedResult = stuck(workflow, "status = 'SUCCESS', completed_at = %s", ago(40));
    result(failedResult, "FAILED", ago(40));
    stuck.put(StuckReason.RESULT_FAILED, failedResult);
    UUID slowResult = stuck(workflow, "status = 'SUCCESS', completed_at = %s", ago(60));
    result(slowResult, "PENDING", ago(60));
    stuck.put(StuckReason.RESULT_PENDING_TOO_LONG, slowResult);
    return stuck;
  }

  /**
   * Changes the execution row by {@code assignments}, their {@code %s} filled with {@code times}.
   */
  public void set(UUID execution, String assignments, String... times) {
    fixtures.update(
        "UPDATE workflow_executions SET "
            + String.format(assignments, (Object[]) times)
            + " WHERE id = '"
            + execution
            + "'");
  }

  /**
   * Opens the execution's result step in {@code status}, created (and last failed, or next due) at
   * {@code createdAt}; a FAILED one with the error type AMC_API_ERROR.
   */
  public void result(UUID execution, String status, String createdAt) {
    fixtures.update(
        "INSERT INTO execution_results (execution_id, status, next_attempt_at, created_at,"
            + " updated_at, error_type, last_error_at) VALUES ('"
            + execution
            + "', '"
            + status
            + "', "
            + createdAt
            + ", "
            + createdAt
            + ", "
            + createdAt
            + ", "
            + (status.equals("FAILED") ? "'AMC_API_ERROR'" : "NULL")
            + ", "
            + createdAt
            + ")");
  }

  /** A timestamp literal {@code minutes} before the test clock's now. */
  public String ago(long minutes) {
    return "'" + clock.instant().minus(Duration.ofMinutes(minutes)) + "'::timestamptz";
  }
}
