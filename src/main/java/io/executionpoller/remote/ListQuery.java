package io.executionpoller.remote;

import java.time.Instant;

/**
 * A search of one instance's executions: by saved workflow id, or (ad hoc queries, whose remote
 * workflow id is generated) by creation time alone. Cancelled ones are included, and the query text
 * is asked for, because the caller is looking for an execution it may have created itself.
 */
public record ListQuery(String workflowId, Instant createdSince, int maxPages) {}
