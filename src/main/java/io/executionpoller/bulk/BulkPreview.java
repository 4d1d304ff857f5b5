package io.executionpoller.bulk;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What a bulk action would do, without doing anything: how many executions the selection matches
 * (by status), how many of them the action applies to ({@code confirm} with this number), and the
 * first of those.
 */
public record BulkPreview(
    String action,
    long matching,
    Map<String, Long> matchingByStatus,
    int actionable,
    List<UUID> sample,
    String note) {}
