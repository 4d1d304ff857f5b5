package io.executionpoller.tracing;

import java.util.UUID;

/**
 * The execution a span is about, as its attributes name it, and the trace its registration ran in
 * ({@code traceparent}, null when none was recorded). Only ids: never a query, a token or a URL.
 */
public record TracedExecution(
    UUID execution, UUID workflow, String instance, String remote, String traceparent) {}
