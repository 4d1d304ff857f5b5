package io.executionpoller.results;

import io.executionpoller.remote.OutputChannel;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * How a succeeded execution's result step opens, from AMC's output channels: PENDING (to download)
 * unless AMC says there is nothing to download, then UNDELIVERABLE at once with AMC's reason. A
 * DOWNLOAD channel still PENDING is waited for like results not ready yet (the download step asks
 * again with backoff). {@code outputS3Uri} is kept when a PUBLISH channel delivers to the
 * customer's bucket.
 */
public record ResultDelivery(ResultStatus status, String reason, String outputS3Uri) {

  private static final String DOWNLOAD = "DOWNLOAD";
  private static final String PUBLISH = "PUBLISH";

  public static ResultDelivery of(List<OutputChannel> channels, String outputS3Uri) {
    String published =
        channels.stream().anyMatch(channel -> PUBLISH.equals(channel.type())) ? outputS3Uri : null;
    if (channels.isEmpty()) {
      return new ResultDelivery(ResultStatus.PENDING, null, published);
    }
    Optional<OutputChannel> download =
        channels.stream().filter(channel -> DOWNLOAD.equals(channel.type())).findFirst();
    if (download.isEmpty()) {
      String types =
          channels.stream().map(OutputChannel::type).distinct().collect(Collectors.joining(", "));
      return new ResultDelivery(
          ResultStatus.UNDELIVERABLE,
          "AMC lists no DOWNLOAD channel (channels: " + types + ")",
          published);
    }
    String status = download.get().status();
    if ("UNAVAILABLE".equals(status) || "FAILED".equals(status)) {
      String reason = download.get().statusReason();
      return new ResultDelivery(
          ResultStatus.UNDELIVERABLE,
          "DOWNLOAD channel " + status + (reason == null ? "" : ": " + reason),
          published);
    }
    return new ResultDelivery(ResultStatus.PENDING, null, published);
  }
}
