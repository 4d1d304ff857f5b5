package io.executionpoller.results;

import static org.assertj.core.api.Assertions.assertThat;

import io.executionpoller.remote.OutputChannel;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ResultDeliveryTest {

  private static final String URI = "s3://customer-bucket/amc/";

  static Stream<Arguments> channels() {
    return Stream.of(
        // AMC said nothing of channels: download as always.
        Arguments.of(List.of(), null, ResultStatus.PENDING, null, null),
        Arguments.of(
            List.of(new OutputChannel("DOWNLOAD", "AVAILABLE", null)),
            null,
            ResultStatus.PENDING,
            null,
            null),
        // Not ready yet: waited for like results not ready.
        Arguments.of(
            List.of(new OutputChannel("DOWNLOAD", "PENDING", null)),
            null,
            ResultStatus.PENDING,
            null,
            null),
        Arguments.of(
            List.of(
                new OutputChannel("DOWNLOAD", "UNAVAILABLE", "Results are delivered to S3 only"),
                new OutputChannel("PUBLISH", "AVAILABLE", null)),
            URI,
            ResultStatus.UNDELIVERABLE,
            "DOWNLOAD channel UNAVAILABLE: Results are delivered to S3 only",
            URI),
        Arguments.of(
            List.of(new OutputChannel("DOWNLOAD", "FAILED", "Result export failed")),
            null,
            ResultStatus.UNDELIVERABLE,
            "DOWNLOAD channel FAILED: Result export failed",
            null),
        Arguments.of(
            List.of(new OutputChannel("DOWNLOAD", "FAILED", null)),
            null,
            ResultStatus.UNDELIVERABLE,
            "DOWNLOAD channel FAILED",
            null),
        Arguments.of(
            List.of(new OutputChannel("PUBLISH", "AVAILABLE", null)),
            URI,
            ResultStatus.UNDELIVERABLE,
            "AMC lists no DOWNLOAD channel (channels: PUBLISH)",
            URI),
        Arguments.of(
            List.of(
                new OutputChannel("DOWNLOAD", "AVAILABLE", null),
                new OutputChannel("PUBLISH", "AVAILABLE", null)),
            URI,
            ResultStatus.PENDING,
            null,
            URI),
        // An S3 location without a PUBLISH channel is not recorded as published.
        Arguments.of(
            List.of(new OutputChannel("DOWNLOAD", "AVAILABLE", null)),
            URI,
            ResultStatus.PENDING,
            null,
            null));
  }

  @ParameterizedTest
  @MethodSource("channels")
  void shouldOpenTheResultStepAsTheOutputChannelsSay(
      List<OutputChannel> channels,
      String outputS3Uri,
      ResultStatus status,
      String reason,
      String published) {
    assertThat(ResultDelivery.of(channels, outputS3Uri))
        .isEqualTo(new ResultDelivery(status, reason, published));
  }
}
