package io.executionpoller.backfill;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * The windows of a backfill, a pure rule: one window per period from {@code from} (inclusive) up to
 * {@code to} (exclusive), all in UTC. Window k starts at {@code from} plus k periods, computed from
 * {@code from} each time rather than from the previous window, so a monthly backfill from January
 * 31st runs Jan 31 - Feb 29 - Mar 31 and never drifts to the 29th. The last window ends at {@code
 * to} even when that cuts it short ({@link BackfillWindow#partial}), so the windows always cover
 * the range exactly, once.
 */
public final class BackfillWindows {

  private BackfillWindows() {}

  /**
   * The windows, or an empty list when {@code to} is not after {@code from}; at most {@code limit}
   * + 1 of them, so a caller can tell "too many" without building a century of days.
   */
  public static List<BackfillWindow> of(
      LocalDate from, LocalDate to, BackfillPeriod period, int limit) {
    List<BackfillWindow> windows = new ArrayList<>();
    for (int k = 0; windows.size() <= limit; k++) {
      LocalDate start = step(from, period, k);
      if (!start.isBefore(to)) {
        break;
      }
      LocalDate end = step(from, period, k + 1);
      boolean partial = end.isAfter(to);
      windows.add(new BackfillWindow(start, partial ? to : end, partial));
    }
    return windows;
  }

  private static LocalDate step(LocalDate from, BackfillPeriod period, int k) {
    return switch (period) {
      case DAILY -> from.plusDays(k);
      case WEEKLY -> from.plusWeeks(k);
      case MONTHLY -> from.plusMonths(k);
    };
  }
}
