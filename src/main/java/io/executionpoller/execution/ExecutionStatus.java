package io.executionpoller.execution;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/** Local status of a tracked execution. Terminal statuses are final. */
public enum ExecutionStatus {
  /** Registered or submitted to AMC, not started yet (queued, waiting for data or a slot). */
  PENDING(false),
  /** Running in AMC (includes AMC's PUBLISHING phase). */
  RUNNING(false),
  /** Finished successfully in AMC. */
  SUCCESS(true),
  /** Failed in AMC, was rejected, or could not be checked or submitted. */
  FAILED(true),
  /** Cancelled in AMC, by an operator or by the daemon. */
  CANCELLED(true),
  /** Ran longer than its allowed runtime. */
  TIMEOUT(true);

  private final boolean terminal;

  ExecutionStatus(boolean terminal) {
    this.terminal = terminal;
  }

  /**
   * Statuses a check still reaches: the loop claims them, the sweep and stuck detection read them.
   */
  public static final Set<ExecutionStatus> ACTIVE = withTerminal(false);

  /** Final statuses: nothing changes an execution in one of them. */
  public static final Set<ExecutionStatus> TERMINAL = withTerminal(true);

  /**
   * {@link #ACTIVE} as the SQL list {@code 'PENDING', 'RUNNING'}, for the few statements that put
   * it in their text rather than bind it as {@code status = ANY($n)} (the loop's claim, its due-lag
   * gauge, admission's counts): their partial indexes are defined on that same list, and the
   * planner only uses a partial index when the statement's text implies its predicate. With a bound
   * array, the generic plan of the cached statement reads the whole table (measured: a sequential
   * scan per instance, 3 s instead of 35 ms on 400,000 finished rows), and PostgreSQL plans the
   * claim anew on every execution to avoid it.
   */
  public static final String ACTIVE_SQL_LIST =
      ACTIVE.stream()
          .map(status -> "'" + status.name() + "'")
          .sorted()
          .collect(Collectors.joining(", "));

  public boolean isTerminal() {
    return terminal;
  }

  /**
   * The names of {@code statuses} as one text-array parameter, so SQL says {@code status = ANY(?)}
   * and the set is written once, here, rather than as literals in each statement.
   */
  public static String[] names(Set<ExecutionStatus> statuses) {
    return statuses.stream().map(Enum::name).sorted().toArray(String[]::new);
  }

  /** {@link #names(Set)} for a few statuses. */
  public static String[] names(ExecutionStatus first, ExecutionStatus... rest) {
    EnumSet<ExecutionStatus> set = EnumSet.of(first, rest);
    return names(set);
  }

  private static Set<ExecutionStatus> withTerminal(boolean terminal) {
    EnumSet<ExecutionStatus> set = EnumSet.noneOf(ExecutionStatus.class);
    Arrays.stream(values()).filter(s -> s.terminal == terminal).forEach(set::add);
    return Collections.unmodifiableSet(set);
  }
}
