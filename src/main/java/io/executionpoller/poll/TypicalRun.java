package io.executionpoller.poll;

import java.time.Duration;

/** How long runs of one workflow usually take from start to finish: median and 90th percentile. */
record TypicalRun(Duration median, Duration p90) {}
