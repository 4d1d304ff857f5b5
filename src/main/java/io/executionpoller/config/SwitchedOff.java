package io.executionpoller.config;

import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.ScheduledExecution;
import java.util.function.BooleanSupplier;

/**
 * Skips a background job's ticks while its feature's {@code enabled} setting is off: tests switch
 * the scheduled job off and drive its step themselves. Each feature names its own subclass (a
 * {@code skipExecutionIf} bean) and passes its setting.
 */
public abstract class SwitchedOff implements Scheduled.SkipPredicate {

  private final BooleanSupplier enabled;

  protected SwitchedOff(BooleanSupplier enabled) {
    this.enabled = enabled;
  }

  @Override
  public boolean test(ScheduledExecution execution) {
    return !enabled.getAsBoolean();
  }
}
