package io.executionpoller.api;

import java.util.Map;
import java.util.UUID;

/**
 * Body of POST /api/v1/executions/backfill: one execution of {@code workflowId} per {@code period}
 * (DAILY, WEEKLY, MONTHLY) from {@code from} (a date, inclusive) to {@code to} (a date, exclusive),
 * in UTC. {@code parameterValues} is a template: {@code {windowStart}} and {@code {windowEnd}} in a
 * value become the window's bounds ({@code yyyy-MM-dd'T'HH:mm:ss}). With {@code dryRun} nothing is
 * stored and the answer lists the windows.
 */
public record BackfillRequest(
    UUID workflowId,
    String from,
    String to,
    String period,
    Map<String, String> parameterValues,
    String reason,
    Boolean dryRun) {}
