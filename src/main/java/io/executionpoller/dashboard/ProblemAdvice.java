package io.executionpoller.dashboard;

import io.executionpoller.stuck.StuckReason;
import io.quarkus.qute.TemplateData;

/**
 * What a kind of problem means to an operator and what helps: a title, one line of advice and the
 * operator API calls that act on one execution ({@code {id}} stands for it).
 */
@TemplateData
public record ProblemAdvice(String title, String advice, String actions) {

  static ProblemAdvice of(StuckReason reason) {
    return switch (reason) {
      case PENDING_TOO_LONG ->
          new ProblemAdvice(
              "Pending too long",
              "Registered long ago and not running yet: check it now to read AMC's view, cancel"
                  + " it if it is no longer wanted.",
              "POST /api/v1/executions/{id}/poll · POST /api/v1/executions/{id}/cancel");
      case RUNNING_TOO_LONG ->
          new ProblemAdvice(
              "Running too long",
              "Running longer than expected: check it now; cancel it (at AMC too) if it will not"
                  + " finish.",
              "POST /api/v1/executions/{id}/poll · POST /api/v1/executions/{id}/cancel");
      case PAST_REMOTE_EXPIRY ->
          new ProblemAdvice(
              "Past the AMC expiry",
              "AMC's expireTime for it has passed and it is still PENDING: cancel it, then run it"
                  + " again with a retry.",
              "POST /api/v1/executions/{id}/cancel · POST /api/v1/executions/{id}/retry");
      case LEASE_EXPIRED ->
          new ProblemAdvice(
              "Lease expired",
              "The replica checking it stopped or hangs: another replica takes it over on its next"
                  + " claim; if none does, look at the replicas' health.",
              "POST /api/v1/executions/{id}/poll");
      case CHECK_OVERDUE ->
          new ProblemAdvice(
              "Check overdue",
              "Due and not checked: no replica is polling, or every check is deferred (breaker"
                  + " open, rate limit, credentials). Look at the poll loop's health first.",
              "POST /api/v1/executions/{id}/poll");
      case FAILING_CHECKS ->
          new ProblemAdvice(
              "Failing checks",
              "Its checks keep failing: read the last error (credentials, endpoint, throttling);"
                  + " check it now once the cause is fixed.",
              "POST /api/v1/executions/{id}/poll");
      case RESULT_FAILED ->
          new ProblemAdvice(
              "Result not stored",
              "It succeeded but its result download failed for good: the execution's page shows"
                  + " the download's error; the runbook says what to do next.",
              "GET /api/v1/executions/{id}/results");
      case RESULT_PENDING_TOO_LONG ->
          new ProblemAdvice(
              "Result waiting too long",
              "It succeeded but its result is still not stored: see the download's attempts and"
                  + " last error on the execution's page.",
              "GET /api/v1/executions/{id}/results");
    };
  }
}
