package io.executionpoller.logging;

import java.util.UUID;

/**
 * Who a lifecycle line is about: the execution, its AMC execution (null before it is submitted),
 * its workflow and its AMC instance. Never logged: tokens, presigned URLs, credentials.
 */
public record ExecutionIds(UUID execution, String remote, UUID workflow, String instance) {

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
