package io.executionpoller.process;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/** Awaitility with the children's output in the failure message, where the reason usually is. */
final class Waits {

  private Waits() {}

  /** Polls {@code condition} every {@code poll} until true; fails after {@code within}. */
  static void until(
      String what,
      Duration within,
      Duration poll,
      Callable<Boolean> condition,
      Supplier<String> context) {
    try {
      Awaitility.await(what)
          .atMost(within)
          .pollDelay(Duration.ZERO)
          .pollInterval(poll)
          .until(condition);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("not within " + within + ": " + what + "\n" + context.get(), e);
    }
  }
}
