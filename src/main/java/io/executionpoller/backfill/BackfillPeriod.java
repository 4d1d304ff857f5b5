package io.executionpoller.backfill;

/** How long each window of a backfill is; every window is in UTC. */
public enum BackfillPeriod {
  /** One UTC calendar day, midnight to midnight. */
  DAILY,
  /** Seven UTC days from the backfill's first day (not aligned to ISO weeks). */
  WEEKLY,
  /**
   * One calendar month from the first day's day-of-month; a day the month lacks (the 31st, Feb
   * 29th) is its last day.
   */
  MONTHLY
}
