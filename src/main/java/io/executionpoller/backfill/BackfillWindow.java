package io.executionpoller.backfill;

import java.time.LocalDate;

/**
 * One window of a backfill: from {@code start} (inclusive) to {@code end} (exclusive), both UTC
 * midnights; {@code partial} when the backfill's end cut it short of a whole period.
 */
public record BackfillWindow(LocalDate start, LocalDate end, boolean partial) {}
