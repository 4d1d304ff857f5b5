package io.executionpoller.results;

import static io.executionpoller.support.Api.viewer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import io.executionpoller.simulator.ChannelScript;
import io.executionpoller.simulator.ExecutionScript;
import io.executionpoller.support.Fixtures;
import io.executionpoller.support.PostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A succeeded execution's result step opens as AMC's output channels say, through the loop. */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class OutputChannelsTest {

  @Inject Fixtures fixtures;
  @Inject Results results;

  @BeforeEach
  void clean() {
    fixtures.reset();
  }

  @Test
  void shouldEndTheResultStepAtOnceWhenTheDownloadChannelIsUnavailable() {
    String reason = "Results of this workflow are delivered to the customer's S3 bucket only";
    UUID execution =
        results.succeeded(
            "wf_s3_only",
            ExecutionScript.succeeds(Duration.ZERO, Duration.ofSeconds(20), 2)
                .withOutputChannels(
                    new ChannelScript("DOWNLOAD", "UNAVAILABLE", reason),
                    new ChannelScript("PUBLISH", "AVAILABLE", null)));

    Map<String, Object> row = results.result(execution);
    assertThat(row.get("status")).isEqualTo("UNDELIVERABLE");
    assertThat(row.get("last_error")).isEqualTo("DOWNLOAD channel UNAVAILABLE: " + reason);
    assertThat(row.get("attempts")).isEqualTo(0);
    assertThat((String) row.get("output_s3_uri")).startsWith("s3://amc-" + Fixtures.INSTANCE);
    assertThat(fixtures.events(execution)).contains("RESULT_UNDELIVERABLE");
    viewer()
        .get("/api/v1/executions/" + execution)
        .then()
        .statusCode(200)
        .body("result.status", equalTo("UNDELIVERABLE"))
        .body("result.lastError", equalTo("DOWNLOAD channel UNAVAILABLE: " + reason))
        .body("result.outputS3Uri", startsWith("s3://amc-"));
  }

  @Test
  void shouldEndTheResultStepAtOnceWhenTheDownloadChannelFailed() {
    UUID execution =
        results.succeeded(
            "wf_export_failed",
            ExecutionScript.succeeds(Duration.ZERO, Duration.ofSeconds(20), 2)
                .withOutputChannels(new ChannelScript("DOWNLOAD", "FAILED", "Export failed")));

    assertThat(results.result(execution).get("status")).isEqualTo("UNDELIVERABLE");
    assertThat(results.result(execution).get("last_error"))
        .isEqualTo("DOWNLOAD channel FAILED: Export failed");
  }

  @Test
  void shouldWaitForADownloadChannelStillPendingAndKeepThePublishedLocation() {
    UUID execution =
        results.succeeded(
            "wf_export_pending",
            ExecutionScript.succeeds(Duration.ZERO, Duration.ofSeconds(20), 2)
                .withOutputChannels(
                    new ChannelScript("DOWNLOAD", "PENDING", null),
                    new ChannelScript("PUBLISH", "AVAILABLE", null)));

    Map<String, Object> row = results.result(execution);
    assertThat(row.get("status")).isEqualTo("PENDING");
    assertThat(row.get("last_error")).isNull();
    assertThat((String) row.get("output_s3_uri")).startsWith("s3://amc-");
    assertThat(fixtures.events(execution)).doesNotContain("RESULT_UNDELIVERABLE");
  }
}
