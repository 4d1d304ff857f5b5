package io.executionpoller.remote;

import java.time.Instant;
import java.util.List;

/**
 * What AMC said about one execution. {@code status} is kept verbatim (it may be a value this daemon
 * does not know); the times are null when AMC did not send them or sent them unreadable. {@code
 * outputChannels} is empty when AMC listed none; {@code outputS3Uri} is where a PUBLISH channel
 * puts the files (null when absent).
 */
public record RemoteExecution(
    String workflowExecutionId,
    String workflowId,
    String status,
    String statusReason,
    Instant createTime,
    Instant lastUpdatedTime,
    Instant expireTime,
    Integer timeoutSeconds,
    List<OutputChannel> outputChannels,
    String outputS3Uri) {

  public RemoteExecution {
    outputChannels = outputChannels == null ? List.of() : List.copyOf(outputChannels);
  }

  /** An answer without output channels. */
  public RemoteExecution(
      String workflowExecutionId,
      String workflowId,
      String status,
      String statusReason,
      Instant createTime,
      Instant lastUpdatedTime,
      Instant expireTime,
      Integer timeoutSeconds) {
    this(
        workflowExecutionId,
        workflowId,
        status,
        statusReason,
        createTime,
        lastUpdatedTime,
        expireTime,
        timeoutSeconds,
        List.of(),
        null);
  }
}
