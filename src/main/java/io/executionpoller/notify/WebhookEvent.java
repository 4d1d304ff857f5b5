package io.executionpoller.notify;

import java.util.Arrays;
import java.util.Optional;

/**
 * The kinds of notification a subscription can ask for, by the name they are sent as. Which audit
 * event makes which kind is decided in SQL (webhook_event_kinds, migration V20), next to the
 * trigger that writes the outbox.
 */
public enum WebhookEvent {
  /** The execution succeeded and its result step ended (stored, or failed for good). */
  EXECUTION_SUCCEEDED("execution.succeeded"),
  /** The execution failed for good (no retry left). */
  EXECUTION_FAILED("execution.failed"),
  /** The execution was cancelled. */
  EXECUTION_CANCELLED("execution.cancelled"),
  /** The execution ran past its runtime limit. */
  EXECUTION_TIMED_OUT("execution.timed_out"),
  /** The execution has been running past its warning threshold. */
  EXECUTION_LONG_RUNNING("execution.long_running"),
  /** The execution's result download failed for good. */
  RESULT_FAILED("result.failed"),
  /** The execution showed up in the stuck list for a reason (once per reason). */
  EXECUTION_STUCK("execution.stuck");

  private final String wireName;

  WebhookEvent(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  public static Optional<WebhookEvent> named(String wireName) {
    return Arrays.stream(values()).filter(e -> e.wireName.equals(wireName)).findFirst();
  }
}
