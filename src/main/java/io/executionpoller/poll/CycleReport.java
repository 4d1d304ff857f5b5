package io.executionpoller.poll;

/** What one poll cycle did; tests and the heartbeat read it. */
public record CycleReport(
    int claimed,
    int unchanged,
    int updated,
    int transitions,
    int failedChecks,
    int lostWrites,
    int deferred,
    int resubmitted) {}
