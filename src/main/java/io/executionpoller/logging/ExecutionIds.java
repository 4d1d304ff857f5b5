package io.executionpoller.logging;

import java.util.UUID;

/**
 * Who a lifecycle line is about: the execution, its AMC execution (null before it is submitted),
 * its workflow and its AMC instance; {@code traceparent}, when known, is the trace its registration
 * ran in (its trace id goes into lines written outside any span). Never logged: tokens, presigned
 * URLs, credentials.
 */
public record ExecutionIds(
    UUID execution, String remote, UUID workflow, String instance, String traceparent) {

  /** Ids without a trace: the line carries the trace of the span it is written in, if any. */
  public ExecutionIds(UUID execution, String remote, UUID workflow, String instance) {
    this(execution, remote, workflow, instance, null);
  }

  /** The ids as the text format shows them; a missing one as {@code -}. */
  public String text() {
    return "execution="
        + orDash(execution)
        + " remote="
        + orDash(remote)
        + " workflow="
        + orDash(workflow)
        + " instance="
        + orDash(instance);
  }

  private static String orDash(Object value) {
    return value == null ? "-" : value.toString();
  }
}
