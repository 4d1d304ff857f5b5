package io.executionpoller.simulator;

/**
 * One output channel a succeeded simulated execution reports: its type ({@code DOWNLOAD}, {@code
 * PUBLISH}, {@code ACR}), status ({@code PENDING}, {@code AVAILABLE}, {@code UNAVAILABLE}, {@code
 * FAILED}) and statusReason (null for none). A PUBLISH channel makes the answer carry an {@code
 * outputS3URI}.
 */
public record ChannelScript(String type, String status, String statusReason) {}
