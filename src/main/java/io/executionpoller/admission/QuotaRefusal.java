package io.executionpoller.admission;

import io.executionpoller.remote.RemoteCallException;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads an AMC answer to a create as a quota refusal, or not. AMC publishes no error code for its
 * execution quotas, so the text decides: a 4xx (429 included) whose body speaks of a quota or of a
 * concurrency or daily limit. A bare 429 without such text is the shared request throttle, which
 * the remote guards handle; a privacy rejection ("too many workflows have already been run") is a
 * refusal of the query, not of the instance.
 */
public final class QuotaRefusal {

  private QuotaRefusal() {}

  public static Optional<QueuedReason> of(Throwable failure) {
    return of(failure, List.of());
  }

  /**
   * As {@link #of(Throwable)}, with the caller's own words taken out of AMC's answer first: AMC
   * quotes a refused query or workflow id back, and a workflow named "daily quota" must not hold
   * its whole instance until midnight.
   */
  public static Optional<QueuedReason> of(Throwable failure, Collection<String> callerText) {
    if (!(failure instanceof RemoteCallException remote)
        || remote.kind() != RemoteCallException.Kind.HTTP_STATUS
        || remote.httpStatus() < 400
        || remote.httpStatus() >= 500
        || remote.body() == null) {
      return Optional.empty();
    }
    String text = remote.body().toLowerCase(Locale.ROOT);
    for (String quoted : callerText) {
      if (quoted != null && !quoted.isBlank()) {
        text = text.replace(quoted.toLowerCase(Locale.ROOT), " ");
      }
    }
    boolean quota =
        text.contains("quota")
            || text.contains("concurrent execution")
            || text.contains("executions per day")
            || text.contains("runs per day");
    if (!quota) {
      return Optional.empty();
    }
    if (text.contains("per day") || text.contains("daily")) {
      return Optional.of(QueuedReason.DAILY_QUOTA);
    }
    return Optional.of(
        text.contains("account")
            ? QueuedReason.ACCOUNT_CONCURRENCY
            : QueuedReason.INSTANCE_CONCURRENCY);
  }
}
