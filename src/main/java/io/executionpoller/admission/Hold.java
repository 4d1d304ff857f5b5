package io.executionpoller.admission;

import java.time.Instant;

/** A submission held back: why, and when to look at it again. */
public record Hold(QueuedReason reason, Instant recheckAt) {}
