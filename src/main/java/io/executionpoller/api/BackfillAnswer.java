package io.executionpoller.api;

import java.util.List;
import java.util.UUID;

/**
 * The answer to a backfill: its windows (each with the idempotency key that registers it, and
 * whether a live key says it is registered already) and, unless it was a dry run, the batch's
 * answer ({@code registration}, one item per window in the same order).
 */
public record BackfillAnswer(
    boolean dryRun,
    UUID workflowId,
    String period,
    String from,
    String to,
    int windowCount,
    int alreadyRegistered,
    List<Window> windows,
    BatchAnswer registration) {

  /** One window: start inclusive, end exclusive, as AMC's EXPLICIT time window (UTC). */
  public record Window(
      String start, String end, boolean partial, String idempotencyKey, boolean registered) {}
}
