package io.executionpoller.logging;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.jboss.logging.MDC;

/**
 * Puts one execution's identity into the logging MDC for the lines logged while it is open, so the
 * JSON format carries them as fields ({@code mdc.executionId}, ...) that a log store can filter on.
 * The text format does not show the MDC; the lifecycle lines repeat the ids in their message.
 *
 * <p>Opened and closed around a few log calls on one thread, never across an asynchronous step: the
 * MDC belongs to the thread (or Vert.x context) that logs. Closing restores what was there.
 */
public final class ExecutionMdc implements AutoCloseable {

  public static final String EXECUTION = "executionId";
  public static final String REMOTE = "amcExecutionId";
  public static final String WORKFLOW = "workflowId";
  public static final String INSTANCE = "instanceId";

  private final Map<String, Object> previous = new LinkedHashMap<>();

  private ExecutionMdc() {}

  /** Opens the scope; null values are left out. */
  public static ExecutionMdc open(
      UUID executionId, String amcExecutionId, UUID workflowId, String instanceId) {
    ExecutionMdc scope = new ExecutionMdc();
    scope.put(EXECUTION, executionId);
    scope.put(REMOTE, amcExecutionId);
    scope.put(WORKFLOW, workflowId);
    scope.put(INSTANCE, instanceId);
    return scope;
  }

  /** The text form of an id that may not exist yet (a remote id before submission). */
  public static String orDash(Object value) {
    return value == null ? "-" : value.toString();
  }

  private void put(String key, Object value) {
    if (value != null) {
      previous.put(key, MDC.put(key, value.toString()));
    }
  }

  @Override
  public void close() {
    previous.forEach(
        (key, value) -> {
          if (value == null) {
            MDC.remove(key);
          } else {
            MDC.put(key, value);
          }
        });
  }
}
