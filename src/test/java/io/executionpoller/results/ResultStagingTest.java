package io.executionpoller.results;

import static io.executionpoller.support.Api.viewer;
import static org.assertj.core.api.Assertions.assertThat;

import io.executionpoller.simulator.AmcSimulator;
import io.executionpoller.simulator.S3Fault;
import io.executionpoller.support.Downloads;
import io.executionpoller.support.Fixtures;
import io.executionpoller.support.PostgresResource;
import io.executionpoller.support.TestClock;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Storing through staging: rows are committed as they arrive and no transaction waits while S3
 * holds back the body. The transfer idle timeout is long here, so a held body stays held for as
 * long as the test looks (the test profile's 3 s would end it and race the assertions).
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
@TestProfile(ResultStagingTest.PatientTransfers.class)
class ResultStagingTest {

  public static class PatientTransfers implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("%test.poller.results.idle-timeout", "5M");
    }
  }

  @Inject AmcSimulator simulator;
  @Inject Fixtures fixtures;
  @Inject TestClock clock;
  @Inject ResultDownloader downloader;
  @Inject Results results;
  @Inject Downloads downloads;

  @BeforeEach
  void clean() {
    downloads.awaitIdle();
    fixtures.reset();
  }

  @Test
  void shouldCommitStagedRowsWithoutATransactionWaitingOnS3AndDiscardThemWhenTheAttemptFails()
      throws Exception {
    simulator.scriptS3Faults(AmcSimulator.ANY, List.of(S3Fault.STALL));
    UUID execution = results.succeeded("wf_staged", 50_000, null);

    downloader.dispatch();
    results.awaitStall(simulator);
    // S3 holds the rest of the body: what arrived is committed in staging, and the writer's
    // connection holds no transaction (nor vacuum's horizon) while it waits.
    results.awaitStagedRows(execution);
    results.awaitWriterIdle();
    assertThat(results.writerTransactions()).isZero();
    viewer().get(rowsPath(execution)).then().statusCode(409);
    assertThat(results.result(execution).get("status")).isEqualTo("DOWNLOADING");

    // The connection dies (as with a crash of the database session); the attempt fails.
    results.terminateWriter();
    simulator.releaseStalls();
    downloads.awaitIdle();

    assertThat(results.result(execution).get("status")).isEqualTo("PENDING");
    assertThat(results.storedRowCount(execution)).as("the failed attempt's rows").isZero();
    assertThat(results.storedBytes(execution)).isZero();

    clock.advance(Duration.ofMinutes(1));
    downloads.downloadAll();

    assertThat(results.result(execution).get("status")).isEqualTo("STORED");
    assertThat(results.storedRowCount(execution)).isEqualTo(50_000);
    assertThat(
            fixtures.count("SELECT count(*) FROM result_files WHERE execution_id = ?", execution))
        .isEqualTo(1);
    assertThat(fixtures.events(execution)).containsOnlyOnce("RESULT_STORED");
    assertThat(
            viewer()
                .queryParam("offset", 49_999)
                .get(rowsPath(execution))
                .jsonPath()
                .getString("rows[0].campaign_id"))
        .isEqualTo("50000");
  }

  private static String rowsPath(UUID execution) {
    return "/api/v1/executions/" + execution + "/results/rows";
  }
}
