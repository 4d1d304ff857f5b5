package io.executionpoller.execution;

/**
 * The AMC time window of an execution. {@code type} is one of AMC's timeWindowType values; start
 * and end ({@code yyyy-MM-dd'T'HH:mm:ss}) only with EXPLICIT.
 */
public record TimeWindow(String type, String start, String end, String timeZone) {}
