package io.executionpoller.results;

import static io.executionpoller.support.Api.viewer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import io.executionpoller.poll.PollCycle;
import io.executionpoller.simulator.AmcSimulator;
import io.executionpoller.simulator.ChannelScript;
import io.executionpoller.simulator.ExecutionScript;
import io.executionpoller.support.Fixtures;
import io.executionpoller.support.PostgresResource;
import io.executionpoller.support.TestClock;
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

  private static final Duration AWAIT = Duration.ofSeconds(60);

  @Inject PollCycle cycle;
  @Inject AmcSimulator simulator;
  @Inject Fixtures fixtures;
  @Inject TestClock clock;

  @BeforeEach
  void clean() {
    fixtures.reset();
  }

  /** Submits an execution of a workflow with this script and runs the loop until it succeeded. */
  private UUID succeeded(String remoteWorkflowId, ExecutionScript script) {
    simulator.scriptFor(remoteWorkflowId, script);
    UUID execution = fixtures.submit(fixtures.savedWorkflow(remoteWorkflowId));
    cycle.runOnce().await().atMost(AWAIT);
    clock.advance(Duration.ofSeconds(30));
    cycle.runOnce().await().atMost(AWAIT);
    assertThat(fixtures.status(execution)).isEqualTo("SUCCESS");
    return execution;
  }

  private Map<String, Object> result(UUID execution) {
    return fixtures
        .query("SELECT * FROM execution_results WHERE execution_id = ?", execution)
        .get(0);
  }

  @Test
  void shouldEndTheResultStepAtOnceWhenTheDownloadChannelIsUnavailable() {
    String reason = "Results of this workflow are delivered to the customer's S3 bucket only";
    UUID execution =
        succeeded(
            "wf_s3_only",
            ExecutionScript.succeeds(Duration.ZERO, Duration.ofSeconds(20), 2)
                .withOutputChannels(
                    new ChannelScript("DOWNLOAD", "UNAVAILABLE", reason),
                    new ChannelScript("PUBLISH", "AVAILABLE", null)));

    Map<String, Object> row = result(execution);
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
        succeeded(
            "wf_export_failed",
            ExecutionScript.succeeds(Duration.ZERO, Duration.ofSeconds(20), 2)
                .withOutputChannels(new ChannelScript("DOWNLOAD", "FAILED", "Export failed")));

    assertThat(result(execution).get("status")).isEqualTo("UNDELIVERABLE");
    assertThat(result(execution).get("last_error"))
        .isEqualTo("DOWNLOAD channel FAILED: Export failed");
  }

  @Test
  void shouldWaitForADownloadChannelStillPendingAndKeepThePublishedLocation() {
    UUID execution =
        succeeded(
            "wf_export_pending",
            ExecutionScript.succeeds(Duration.ZERO, Duration.ofSeconds(20), 2)
                .withOutputChannels(
                    new ChannelScript("DOWNLOAD", "PENDING", null),
                    new ChannelScript("PUBLISH", "AVAILABLE", null)));

    Map<String, Object> row = result(execution);
    assertThat(row.get("status")).isEqualTo("PENDING");
    assertThat(row.get("last_error")).isNull();
    assertThat((String) row.get("output_s3_uri")).startsWith("s3://amc-");
    assertThat(fixtures.events(execution)).doesNotContain("RESULT_UNDELIVERABLE");
  }
}
