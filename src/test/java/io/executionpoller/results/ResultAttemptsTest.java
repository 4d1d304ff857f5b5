package io.executionpoller.results;

import static org.assertj.core.api.Assertions.assertThat;

import io.executionpoller.housekeeping.Housekeeping;
import io.executionpoller.metrics.PollerMetrics;
import io.executionpoller.remote.AmcClient;
import io.executionpoller.replica.ReplicaIdentity;
import io.executionpoller.simulator.AmcSimulator;
import io.executionpoller.support.Downloads;
import io.executionpoller.support.Fixtures;
import io.executionpoller.support.PostgresResource;
import io.executionpoller.support.TestClock;
import io.executionpoller.tracing.ExecutionSpans;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.core.Vertx;
import jakarta.inject.Inject;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How attempts of a result download are counted and ended: an Error on the download thread, calls
 * deferred by the remote gate, and claims whose replica never reports back.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class ResultAttemptsTest {

  @Inject Fixtures fixtures;
  @Inject Results results;
  @Inject Downloads downloads;
  @Inject ResultStore store;
  @Inject AmcClient amc;
  @Inject ResultsConfig config;
  @Inject TestClock clock;
  @Inject ReplicaIdentity replica;
  @Inject PollerMetrics metrics;
  @Inject ExecutionSpans spans;
  @Inject Vertx vertx;
  @Inject AmcSimulator simulator;
  @Inject Housekeeping housekeeping;

  @BeforeEach
  void clean() {
    downloads.awaitIdle();
    fixtures.reset();
  }

  @Test
  void shouldEndTheAttemptWhenTheDownloadThreadMeetsAnError() throws Exception {
    UUID execution = results.succeeded("wf_out_of_memory", 20_000, null);
    // A downloader like the bean, whose transfers throw an Error part way through the body, as
    // an OutOfMemoryError would surface from the parser.
    ResultDownloader failing =
        new ResultDownloader(
            store,
            new ErrorInjectingFetcher(vertx, config),
            amc,
            config,
            clock,
            replica,
            new SimpleMeterRegistry(),
            metrics,
            spans);
    try {
      assertThat(failing.dispatch()).isEqualTo(1);
      Downloads.awaitIdle(failing);
    } finally {
      failing.onStop(null);
    }

    Map<String, Object> result = results.result(execution);
    assertThat(result.get("status")).as("the attempt ended, not left claimed").isEqualTo("PENDING");
    assertThat(result.get("lease_owner")).isNull();
    assertThat((String) result.get("last_error")).contains("OutOfMemoryError");
    assertThat(fixtures.events(execution)).containsOnlyOnce("RESULT_RETRY");

    clock.set(((Timestamp) result.get("next_attempt_at")).toInstant().plusMillis(1));
    downloads.downloadAll();
    assertThat(results.result(execution).get("status")).isEqualTo("STORED");
    assertThat(results.storedRowCount(execution)).isEqualTo(20_000);
  }

  @Test
  void shouldNeverDecreaseAttemptsWhenTheRemoteGateDefersTheDownload() {
    UUID execution = results.succeeded("wf_deferred", 5, null);
    simulator.rejectCredentials("invalid_grant");
    simulator.revokeTokens();
    fixtures.forgetCachedToken();

    downloads.downloadAll();

    Map<String, Object> deferred = results.result(execution);
    assertThat(deferred.get("status")).isEqualTo("PENDING");
    assertThat(deferred.get("attempts")).as("a claim is an attempt, counted or not").isEqualTo(1);
    assertThat(deferred.get("last_error")).as("a deferral is not a failure").isNull();

    simulator.acceptCredentials();
    clock.advance(Duration.ofMinutes(10));
    downloads.downloadAll();

    Map<String, Object> stored = results.result(execution);
    assertThat(stored.get("status")).isEqualTo("STORED");
    assertThat(stored.get("attempts")).isEqualTo(2);
  }

  @Test
  void shouldFailAResultWhoseDownloadsKeepEndingWithTheirReplicaAfterMaxAttemptsClaims()
      throws Exception {
    UUID execution = results.succeeded("wf_kills_replicas", 5, null);

    // Each round: a replica claims the download and dies before any outcome (the claim is all a
    // SIGKILL mid-download leaves behind); its lease expires and the reaper hands it back.
    for (int round = 1; round <= config.maxAttempts(); round++) {
      Instant now = clock.instant();
      List<ResultClaim> claims =
          store
              .claim("dead-replica-" + round, now, config.leaseDuration(), 10, config.maxAttempts())
              .claims();
      assertThat(claims).as("round %d", round).hasSize(1);
      // Leases expire on the database clock: the dead replica's lease ran out an hour ago.
      fixtures.update(
          "UPDATE execution_results SET lease_expires_at = now() - interval '1 hour'"
              + " WHERE execution_id = '"
              + execution
              + "'");
      clock.advance(config.leaseDuration().plusSeconds(1));
      housekeeping.reapLeasesNow();
    }

    downloads.downloadAll();

    Map<String, Object> result = results.result(execution);
    assertThat(result.get("status")).isEqualTo("FAILED");
    assertThat(result.get("attempts")).isEqualTo(config.maxAttempts());
    assertThat((String) result.get("last_error"))
        .contains("giving up")
        .contains("ended without an outcome");
    assertThat(fixtures.events(execution)).containsOnlyOnce("RESULT_FAILED");
    assertThat(simulator.s3GetsTotal()).as("no further download was tried").isZero();
  }

  /** Opens real transfers whose body throws an Error after its first 64 KiB. */
  static final class ErrorInjectingFetcher extends ResultFetcher {

    ErrorInjectingFetcher(Vertx vertx, ResultsConfig config) {
      super(vertx, config);
    }

    @Override
    Transfer open(String url) throws DownloadFailure {
      Transfer transfer = super.open(url);
      return new Transfer(
          transfer.uri(),
          transfer.head(),
          new ErrorAfter(transfer.body(), 64 * 1024),
          transfer.cancellable());
    }
  }

  private static final class ErrorAfter extends FilterInputStream {

    private long left;

    ErrorAfter(InputStream in, long bytes) {
      super(in);
      this.left = bytes;
    }

    @Override
    public int read(byte[] target, int offset, int length) throws IOException {
      if (left <= 0) {
        throw new OutOfMemoryError("Java heap space (injected by the test)");
      }
      int n = super.read(target, offset, (int) Math.min(length, left));
      if (n > 0) {
        left -= n;
      }
      return n;
    }
  }
}
