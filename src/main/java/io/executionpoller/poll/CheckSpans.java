package io.executionpoller.poll;

import io.executionpoller.tracing.ExecutionSpans;
import io.executionpoller.tracing.TracedExecution;
import io.opentelemetry.api.trace.Span;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.function.Supplier;

/**
 * The span of one check: {@code poller.check} for a status check, {@code poller.submit} for a
 * submission (with the adoption of a run an unanswered create made), with what came of it.
 */
@ApplicationScoped
class CheckSpans {

  static final String CHECK = "poller.check";
  static final String SUBMIT = "poller.submit";

  private final ExecutionSpans spans;

  CheckSpans(ExecutionSpans spans) {
    this.spans = spans;
  }

  Uni<CheckOutcome> around(ClaimedExecution execution, Supplier<Uni<CheckOutcome>> check) {
    TracedExecution traced =
        new TracedExecution(
            execution.id(),
            execution.workflowId(),
            execution.target().instanceId(),
            execution.amcExecutionId(),
            execution.traceparent());
    return spans.around(
        execution.needsSubmission() ? SUBMIT : CHECK, traced, check, CheckSpans::describe);
  }

  private static void describe(Span span, CheckOutcome outcome) {
    span.setAttribute(ExecutionSpans.OUTCOME, outcomeName(outcome));
    if (outcome instanceof CheckOutcome.Submitted submitted) {
      span.setAttribute(ExecutionSpans.REMOTE_ID, submitted.remote().workflowExecutionId());
    } else if (outcome instanceof CheckOutcome.Failed failed) {
      ExecutionSpans.failed(span, failed.failure());
    }
  }

  private static String outcomeName(CheckOutcome outcome) {
    if (outcome instanceof CheckOutcome.Observed) {
      return "observed";
    } else if (outcome instanceof CheckOutcome.Submitted submitted) {
      return submitted.adopted() ? "adopted" : "submitted";
    } else if (outcome instanceof CheckOutcome.Failed) {
      return "failed";
    } else if (outcome instanceof CheckOutcome.CreateHeldBack) {
      return "held_back";
    } else if (outcome instanceof CheckOutcome.LeaseTooShort) {
      return "lease_too_short";
    }
    return "lost_claim";
  }
}
