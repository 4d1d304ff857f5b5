package io.executionpoller.results;

import static io.executionpoller.support.Api.viewer;
import static org.assertj.core.api.Assertions.assertThat;

import io.executionpoller.simulator.AmcSimulator;
import io.executionpoller.simulator.ResultFile;
import io.executionpoller.simulator.S3Fault;
import io.executionpoller.support.Downloads;
import io.executionpoller.support.Fixtures;
import io.executionpoller.support.PostgresResource;
import io.executionpoller.support.TestClock;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The download step end to end: executions succeed through the poll loop, downloads are driven by
 * {@link ResultDownloader#dispatch()}, files come from the simulator's S3 side with scripted
 * faults, and the API serves what was stored.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class ResultDownloadTest {

  private static final Duration AWAIT = Duration.ofSeconds(60);
  private static final String DEMO_HEADER = "campaign_id,campaign_name,impressions,clicks";

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
  void shouldStoreASucceededExecutionsCsvOnceAndServeItsRowsAndBytes() throws Exception {
    UUID execution = results.succeeded("wf_plain", 25, null);
    assertThat(results.resultStatus(execution)).isEqualTo("PENDING");

    downloads.downloadAll();

    Map<String, Object> result = results.result(execution);
    assertThat(result.get("status")).isEqualTo("STORED");
    assertThat(result.get("row_count")).isEqualTo(25L);
    assertThat(result.get("file_count")).isEqualTo(1);
    Map<String, Object> row = fixtures.execution(execution);
    assertThat(row.get("result_rows")).isEqualTo(25L);
    assertThat(row.get("result_size_bytes")).isEqualTo(result.get("byte_size"));
    assertThat(row.get("execution_duration")).isNotNull();
    assertThat(fixtures.events(execution)).containsOnlyOnce("RESULT_STORED");

    Response summary = viewer().get("/api/v1/executions/{id}/results", execution);
    summary.then().statusCode(200);
    assertThat(summary.jsonPath().getString("result.status")).isEqualTo("STORED");
    assertThat(summary.jsonPath().getList("result.columns"))
        .containsExactly("campaign_id", "campaign_name", "impressions", "clicks");
    assertThat(summary.jsonPath().getList("preview")).hasSize(10);
    assertThat(summary.jsonPath().getString("preview[0].campaign_name"))
        .isEqualTo("Campaign 1, demo");
    assertThat(summary.jsonPath().getString("result.files[0].sha256")).hasSize(64);

    Response page =
        viewer().queryParam("offset", 20).queryParam("limit", 10).get(rowsPath(execution));
    page.then().statusCode(200);
    assertThat(page.jsonPath().getList("rows")).hasSize(5);
    assertThat(page.jsonPath().getString("rows[0].campaign_id")).isEqualTo("21");
    assertThat(page.jsonPath().getString("rows[4].impressions")).isEqualTo("25000");
    assertThat(page.jsonPath().getLong("total")).isEqualTo(25);

    Response download = viewer().get("/api/v1/executions/{id}/results/download", execution);
    download.then().statusCode(200);
    byte[] body = download.asByteArray();
    assertThat(download.header("Content-Length")).isEqualTo(String.valueOf(body.length));
    assertThat(download.header(ResultResource.SHA256_HEADER)).isEqualTo(sha256(body));
    String csv = new String(body, StandardCharsets.UTF_8);
    assertThat(csv).startsWith(DEMO_HEADER + "\r\n1,\"Campaign 1, demo\",1000,7\r\n");
    assertThat(csv.split("\r\n")).hasSize(26);
  }

  @Test
  void shouldStoreAllFilesOfAResultOverTwoPagesOfUrlsPlainOrGzippedAsOneNumberedSequence() {
    List<ResultFile> files =
        List.of(
            ResultFile.generated(3),
            ResultFile.generated(4).withGzip(ResultFile.GzipMode.CONTENT_ENCODING),
            ResultFile.generated(5).withGzip(ResultFile.GzipMode.MAGIC_ONLY),
            ResultFile.generated(1),
            ResultFile.generated(1),
            ResultFile.generated(1),
            ResultFile.generated(2));
    UUID execution = results.succeeded("wf_multi", 0, files);

    downloads.downloadAll();

    assertThat(results.result(execution).get("status")).isEqualTo("STORED");
    assertThat(results.result(execution).get("row_count")).isEqualTo(17L);
    assertThat(
            fixtures.query(
                "SELECT file_index, gzipped, first_row, row_count FROM result_files"
                    + " WHERE execution_id = ? ORDER BY file_index",
                execution))
        .extracting(
            file ->
                file.get("file_index")
                    + ":"
                    + file.get("gzipped")
                    + ":"
                    + file.get("first_row")
                    + ":"
                    + file.get("row_count"))
        .containsExactly(
            "0:false:1:3",
            "1:true:4:4",
            "2:true:8:5",
            "3:false:13:1",
            "4:false:14:1",
            "5:false:15:1",
            "6:false:16:2");
    // Rows 3..5 span the first two files; the gzipped file was stored decompressed.
    Response page =
        viewer().queryParam("offset", 2).queryParam("limit", 3).get(rowsPath(execution));
    assertThat(page.jsonPath().getList("rows.campaign_id", String.class))
        .containsExactly("3", "1", "2");
    Response second =
        viewer().queryParam("file", 1).get("/api/v1/executions/{id}/results/download", execution);
    second.then().statusCode(200);
    assertThat(second.asString()).startsWith(DEMO_HEADER).contains("4,\"Campaign 4, demo\"");
    viewer()
        .queryParam("file", 7)
        .get("/api/v1/executions/{id}/results/download", execution)
        .then()
        .statusCode(404);
  }

  @Test
  void shouldStoreAResultWhoseFirstFileIsEmpty() {
    UUID execution =
        results.succeeded(
            "wf_empty_first",
            0,
            List.of(
                ResultFile.literal("part-00000.csv", new byte[0], "text/csv"),
                ResultFile.generated(3)));

    downloads.downloadAll();

    assertThat(results.result(execution).get("status")).isEqualTo("STORED");
    assertThat(results.storedRowCount(execution)).isEqualTo(3);
    assertThat(viewer().get(rowsPath(execution)).jsonPath().getList("columns"))
        .containsExactly("campaign_id", "campaign_name", "impressions", "clicks");
  }

  @Test
  void shouldStoreJsonArraysAndNdjsonWithNullsAndNestedValues() {
    byte[] array =
        "[{\"id\":1,\"name\":\"a\",\"tags\":[1,2]},\n {\"id\":2,\"name\":null}]"
            .getBytes(StandardCharsets.UTF_8);
    byte[] ndjson =
        "{\"id\":3,\"ok\":true}\n{\"id\":4,\"ok\":false}\n".getBytes(StandardCharsets.UTF_8);
    UUID fromArray =
        results.succeeded(
            "wf_json", 0, List.of(ResultFile.literal("part-0.json", array, "application/json")));
    UUID fromLines =
        results.succeeded(
            "wf_ndjson",
            0,
            List.of(ResultFile.literal("part-0.ndjson", ndjson, "application/x-ndjson")));

    downloads.downloadAll();

    Response arrayRows = viewer().get(rowsPath(fromArray));
    assertThat(arrayRows.jsonPath().getList("columns")).containsExactly("id", "name", "tags");
    assertThat(arrayRows.jsonPath().getString("rows[0].tags")).isEqualTo("[1,2]");
    assertThat(arrayRows.jsonPath().getString("rows[1].name")).isNull();
    assertThat(arrayRows.jsonPath().getString("rows[1].tags")).isNull();
    Response lineRows = viewer().get(rowsPath(fromLines));
    assertThat(lineRows.jsonPath().getList("rows.ok", String.class))
        .containsExactly("true", "false");
    Response original = viewer().get("/api/v1/executions/{id}/results/download", fromArray);
    assertThat(original.asByteArray()).isEqualTo(array);
  }

  @Test
  void shouldFailAMalformedCsvForGoodNamingFileAndLineAndStoreNothing() {
    byte[] ragged = "a,b,c\r\n1,2,3\r\n4,5\r\n6,7,8\r\n".getBytes(StandardCharsets.UTF_8);
    UUID execution =
        results.succeeded(
            "wf_ragged", 0, List.of(ResultFile.literal("part-00000.csv", ragged, "text/csv")));

    downloads.downloadAll();

    Map<String, Object> result = results.result(execution);
    assertThat(result.get("status")).isEqualTo("FAILED");
    assertThat(result.get("error_type")).isEqualTo("AMC_API_ERROR");
    assertThat((String) result.get("last_error"))
        .contains("part-00000.csv")
        .contains("line 3")
        .contains("giving up");
    assertThat(results.storedRowCount(execution)).isZero();
    assertThat(fixtures.events(execution)).containsOnlyOnce("RESULT_FAILED");
    assertThat(fixtures.status(execution)).as("SUCCESS is never rolled back").isEqualTo("SUCCESS");
    viewer().get(rowsPath(execution)).then().statusCode(409);
    Response summary = viewer().get("/api/v1/executions/{id}/results", execution);
    assertThat(summary.jsonPath().getString("result.status")).isEqualTo("FAILED");
    assertThat(summary.jsonPath().getString("result.errorType")).isEqualTo("AMC_API_ERROR");
  }

  @Test
  void shouldRenewAnExpiredUrlAndStoreTheResult() {
    simulator.scriptS3Faults(AmcSimulator.ANY, List.of(S3Fault.EXPIRED));
    UUID execution = results.succeeded("wf_expired", 30, null);

    downloads.downloadAll();

    assertThat(results.result(execution).get("status")).isEqualTo("STORED");
    assertThat(results.result(execution).get("attempts")).isEqualTo(1);
    assertThat(simulator.s3GetsTotal()).isEqualTo(2);
    assertThat(results.storedRowCount(execution)).isEqualTo(30);
  }

  @Test
  void shouldFetchATruncatedFileAgainFromScratchAndStoreEachRowOnce() {
    simulator.scriptS3Faults(AmcSimulator.ANY, List.of(S3Fault.TRUNCATE));
    UUID execution = results.succeeded("wf_truncated", 3000, null);

    downloads.downloadAll();

    assertThat(results.result(execution).get("status")).isEqualTo("STORED");
    assertThat(simulator.s3GetsTotal()).isEqualTo(2);
    assertThat(results.storedRowCount(execution)).isEqualTo(3000);
    // Segments tile rows 1..3000 without gap or overlap.
    assertThat(
            fixtures.count(
                "SELECT count(*) FROM result_segments s WHERE execution_id = ? AND first_row <>"
                    + " 1 + coalesce((SELECT sum(row_count) FROM result_segments p"
                    + " WHERE p.execution_id = s.execution_id AND p.segment < s.segment), 0)",
                execution))
        .isZero();
    assertThat(results.storedBytes(execution))
        .isEqualTo(results.result(execution).get("byte_size"));
  }

  @Test
  void shouldRetryAFailedAttemptAfterBackoffAndCountIt() {
    simulator.scriptS3Faults(
        AmcSimulator.ANY,
        List.of(S3Fault.SERVER_ERROR, S3Fault.SERVER_ERROR, S3Fault.SERVER_ERROR));
    UUID execution = results.succeeded("wf_flaky_s3", 10, null);

    downloads.downloadAll();

    Map<String, Object> waiting = results.result(execution);
    assertThat(waiting.get("status")).isEqualTo("PENDING");
    assertThat(waiting.get("error_type")).isEqualTo("RESOURCE_ERROR");
    assertThat(fixtures.events(execution)).containsOnlyOnce("RESULT_RETRY");
    java.time.Instant next = ((java.sql.Timestamp) waiting.get("next_attempt_at")).toInstant();
    assertThat(next).isAfter(clock.instant());

    clock.set(next.plusMillis(1));
    downloads.downloadAll();

    assertThat(results.result(execution).get("status")).isEqualTo("STORED");
    assertThat(results.result(execution).get("attempts")).isEqualTo(2);
    assertThat(results.result(execution).get("last_error")).isNull();
  }

  @Test
  void shouldRefuseARedirectForGoodWithoutLeakingTheSignedUrl() {
    simulator.scriptS3Faults(AmcSimulator.ANY, List.of(S3Fault.REDIRECT));
    UUID execution = results.succeeded("wf_redirect", 5, null);

    downloads.downloadAll();

    Map<String, Object> result = results.result(execution);
    assertThat(result.get("status")).isEqualTo("FAILED");
    assertThat(result.get("error_type")).isEqualTo("PERMISSION_ERROR");
    assertThat((String) result.get("last_error"))
        .contains("HTTP 302")
        .doesNotContain("X-Amz-Signature")
        .doesNotContain("?");
  }

  @Test
  void shouldStoreNothingWhenTheClaimIsTakenOverBeforeTheCommit() throws Exception {
    simulator.scriptS3Faults(AmcSimulator.ANY, List.of(S3Fault.STALL));
    UUID execution = results.succeeded("wf_taken", 2000, null);

    downloader.dispatch();
    results.awaitStall(simulator);
    // Another replica took the claim over (as after a lease expiry); this commit must not land.
    fixtures.update(
        "UPDATE execution_results SET lease_owner = 'replica-b', attempts = attempts + 1"
            + " WHERE execution_id = '"
            + execution
            + "'");
    simulator.releaseStalls();
    downloads.awaitIdle();

    assertThat(results.storedRowCount(execution)).isZero();
    assertThat(results.result(execution).get("status")).isEqualTo("DOWNLOADING");

    // Replica b died; once its lease has expired (on the database clock, where leases are kept)
    // this replica claims and stores the result once.
    fixtures.update(
        "UPDATE execution_results SET lease_expires_at = now() - interval '1 second'"
            + " WHERE execution_id = '"
            + execution
            + "'");
    downloads.downloadAll();
    assertThat(results.result(execution).get("status")).isEqualTo("STORED");
    assertThat(results.storedRowCount(execution)).isEqualTo(2000);
    assertThat(fixtures.events(execution)).containsOnlyOnce("RESULT_STORED");
  }

  @Test
  void shouldKeepPollingWhileADownloadIsStalled() throws Exception {
    simulator.scriptS3Faults(AmcSimulator.ANY, List.of(S3Fault.STALL));
    UUID stalled = results.succeeded("wf_slow_download", 2000, null);
    downloader.dispatch();
    results.awaitStall(simulator);

    UUID other = results.succeeded("wf_meanwhile", 3, null);

    assertThat(fixtures.status(other)).isEqualTo("SUCCESS");
    assertThat(results.result(stalled).get("status")).isEqualTo("DOWNLOADING");
    simulator.releaseStalls();
    downloads.downloadAll();
    assertThat(results.result(stalled).get("status")).isEqualTo("STORED");
    assertThat(results.result(other).get("status")).isEqualTo("STORED");
  }

  @Test
  void shouldBoundAPageOfWideRowsByBytesAndSayWhereTheNextStarts() {
    StringBuilder csv = new StringBuilder("id,wide\n");
    String wide = "x".repeat(10_000);
    for (int i = 1; i <= 1000; i++) {
      csv.append(i).append(',').append(wide).append('\n');
    }
    UUID execution =
        results.succeeded(
            "wf_wide_rows",
            0,
            List.of(
                ResultFile.literal(
                    "part-00000.csv",
                    csv.toString().getBytes(StandardCharsets.UTF_8),
                    "text/csv")));
    downloads.downloadAll();
    assertThat(results.result(execution).get("status")).isEqualTo("STORED");

    // 1000 rows of 10 kB would be a 10 MB page; max-page-bytes (4 MiB) ends it early.
    Response page = viewer().queryParam("limit", 1000).get(rowsPath(execution));
    page.then().statusCode(200);
    List<String> ids = page.jsonPath().getList("rows.id", String.class);
    assertThat(ids).isNotEmpty().hasSizeLessThan(1000);
    assertThat(page.asByteArray().length).isLessThanOrEqualTo(4 * 1024 * 1024 + 10_100);
    assertThat(page.jsonPath().getLong("nextOffset")).isEqualTo(ids.size());

    Response next =
        viewer()
            .queryParam("offset", ids.size())
            .queryParam("limit", 1000)
            .get(rowsPath(execution));
    assertThat(next.jsonPath().getString("rows[0].id")).isEqualTo(String.valueOf(ids.size() + 1));
    Response last = viewer().queryParam("offset", 999).get(rowsPath(execution));
    assertThat(last.jsonPath().getList("rows")).hasSize(1);
    assertThat(last.jsonPath().getString("nextOffset")).isNull();
  }

  @Test
  void shouldAnswerClearErrorsForBadRequests() {
    UUID running = results.running("wf_running");
    UUID missing = UUID.randomUUID();
    viewer().get("/api/v1/executions/not-a-uuid/results").then().statusCode(400);
    viewer().get("/api/v1/executions/{id}/results", missing).then().statusCode(404);
    viewer()
        .get("/api/v1/executions/{id}/results", running)
        .then()
        .statusCode(404)
        .contentType("application/problem+json");
    UUID pending = results.succeeded("wf_pending", 2, null);
    viewer().get(rowsPath(pending)).then().statusCode(409);
    downloads.downloadAll();
    for (String bad : List.of("-1", "abc", "1e3", "99999999999999999999")) {
      viewer().queryParam("offset", bad).get(rowsPath(pending)).then().statusCode(400);
    }
    for (String bad : List.of("0", "1001", "x")) {
      viewer().queryParam("limit", bad).get(rowsPath(pending)).then().statusCode(400);
    }
    viewer().queryParam("offset", 2).get(rowsPath(pending)).then().statusCode(200);
    assertThat(viewer().queryParam("offset", 2).get(rowsPath(pending)).jsonPath().getList("rows"))
        .isEmpty();
  }

  @Test
  void shouldRefuseUrlsOffTheAllowListOrWithoutHttpAndNeverShowTheirQuery() {
    AtomicReference<DownloadFailure> failure = new AtomicReference<>();
    for (String url :
        List.of(
            "http://evil.example.com/bucket/part-00000.csv?X-Amz-Signature=secret123",
            "ftp://localhost/part-00000.csv?X-Amz-Signature=secret123",
            "not a url?X-Amz-Signature=secret123")) {
      try {
        results.fetcher().open(url).close();
      } catch (DownloadFailure e) {
        failure.set(e);
      }
      assertThat(failure.get()).as(url).isNotNull();
      assertThat(failure.get().type().name()).isEqualTo("PERMISSION_ERROR");
      assertThat(failure.get().retryable()).isFalse();
      assertThat(failure.get().getMessage()).doesNotContain("secret123");
      failure.set(null);
    }
  }

  private static String rowsPath(UUID execution) {
    return "/api/v1/executions/" + execution + "/results/rows";
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
