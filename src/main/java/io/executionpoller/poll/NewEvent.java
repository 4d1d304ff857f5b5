package io.executionpoller.poll;

import io.executionpoller.execution.EventType;
import io.executionpoller.execution.ExecutionStatus;

/** An audit entry to append together with the write that caused it. */
record NewEvent(
    EventType type,
    ExecutionStatus from,
    ExecutionStatus to,
    String remoteStatus,
    String message) {}
