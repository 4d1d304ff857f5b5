package io.executionpoller.admin;

import java.time.Instant;

/**
 * Body of PUT /instances/{instanceId}/endpoint, and its answer: where the instance's AMC calls go
 * from now on, why, and (in the answer) who changed it when, and how many instance rows changed.
 */
public record EndpointChange(
    String apiBaseUrl, String reason, String changedBy, Instant changedAt, Integer rowsChanged) {}
