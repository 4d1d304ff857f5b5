package io.executionpoller.remote;

/**
 * One of AMC's output channels of an execution: its type ({@code DOWNLOAD}, {@code PUBLISH}, {@code
 * ACR}), its status ({@code PENDING}, {@code AVAILABLE}, {@code UNAVAILABLE}, {@code FAILED}) and
 * AMC's reason for it, each verbatim (null when absent).
 */
public record OutputChannel(String type, String status, String statusReason) {}
