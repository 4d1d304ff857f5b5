package io.executionpoller.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.executionpoller.support.PostgresResource;
import io.executionpoller.support.TestClock;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Result delivery over real HTTP: scripted result files, downloadUrls paging, streamed and gzipped
 * bodies, files on disk, S3 faults and the download counters.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class SimulatorResultsTest {

  private static final String INSTANCE = "amcinst01";
  private static final String EXECUTIONS = "/amc/reporting/" + INSTANCE + "/workflowExecutions";
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String DEMO_HEADER = "campaign_id,campaign_name,impressions,clicks\r\n";

  /** The simulator's root on the test HTTP port. */
  @TestHTTPResource("/simulator")
  String base;

  @Inject AmcSimulator simulator;
  @Inject TestClock clock;

  // HTTP/1.1 fixed, so a TRUNCATE is a closed connection rather than an HTTP/2 stream reset.
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private String token;

  @BeforeEach
  void setUp() throws Exception {
    simulator.reset();
    token = freshToken();
  }

  @AfterEach
  void tearDown() {
    // Closes anything a failing test left stalled on the server.
    simulator.reset();
  }

  // ---- files ----

  @Test
  void shouldServeOneDemoCsvOfTheScriptsRowsByDefault() throws Exception {
    String id = succeeded(3);

    JsonObject answer = downloadUrls(id, null);
    HttpResponse<byte[]> file = download(answer.getJsonArray("downloadUrls").getString(0));

    assertThat(answer.getJsonArray("downloadUrls")).hasSize(1);
    assertThat(answer.getJsonArray("downloadUrls").getString(0))
        .contains("/simulator/s3/" + id + "/part-00000.csv?");
    assertThat(answer.getJsonArray("metadataDownloadUrls")).isEmpty();
    assertThat(answer.containsKey("nextToken")).isTrue();
    assertThat(answer.getString("nextToken")).isNull();
    assertThat(file.statusCode()).isEqualTo(200);
    assertThat(file.headers().firstValue("Content-Type")).hasValue("text/csv");
    assertThat(new String(file.body(), StandardCharsets.UTF_8))
        .isEqualTo(
            DEMO_HEADER
                + "1,\"Campaign 1, demo\",1000,7\r\n"
                + "2,\"Campaign 2, demo\",2000,14\r\n"
                + "3,\"Campaign 3, demo\",3000,21\r\n");
  }

  @Test
  void shouldServeGeneratedAndWideFilesWithTheirRowsAndExactLengths() throws Exception {
    String id = succeeded(1);
    simulator.scriptResultsFor(
        id, List.of(ResultFile.generated(25_000), ResultFile.wide(25_000), ResultFile.wide(0)));

    List<String> urls = urls(id);
    List<HttpResponse<byte[]>> files = new ArrayList<>();
    for (String url : urls) {
      files.add(download(url));
    }

    assertThat(urls).hasSize(3);
    for (HttpResponse<byte[]> file : files) {
      assertThat(file.statusCode()).isEqualTo(200);
      assertThat(file.headers().firstValueAsLong("Content-Length")).hasValue(file.body().length);
      assertThat(file.headers().firstValue("Content-Type")).hasValue("text/csv");
    }
    String demo = new String(files.get(0).body(), StandardCharsets.UTF_8);
    String wide = new String(files.get(1).body(), StandardCharsets.UTF_8);
    assertThat(demo.split("\r\n")).hasSize(25_001);
    assertThat(demo)
        .startsWith(DEMO_HEADER)
        .endsWith("25000,\"Campaign 25000, demo\",25000000,175000\r\n");
    assertThat(wide.split("\n")).hasSize(25_001);
    assertThat(wide).startsWith("row_number,campaign_id,").contains("\n25000,");
    assertThat(wide.length() / 25_000).isBetween(100, 120);
    assertThat(new String(files.get(2).body(), StandardCharsets.UTF_8)).hasLineCount(1);
    assertThat(download(urls.get(1)).body()).as("deterministic").isEqualTo(files.get(1).body());
  }

  @Test
  void shouldServeSevenFilesInTwoPagesOfUrls() throws Exception {
    List<ResultFile> seven = new ArrayList<>();
    for (int i = 1; i <= 7; i++) {
      seven.add(ResultFile.generated(i));
    }
    simulator.scriptResults("wf_seven", seven);
    String id = created(new JsonObject().put("workflowId", "wf_seven"));

    JsonObject first = downloadUrls(id, null);
    String next = first.getString("nextToken");
    JsonObject second = downloadUrls(id, next);

    assertThat(first.getJsonArray("downloadUrls")).hasSize(5);
    assertThat(next).isNotBlank();
    assertThat(second.getJsonArray("downloadUrls")).hasSize(2);
    assertThat(second.getString("nextToken")).isNull();
    List<String> all = new ArrayList<>();
    first.getJsonArray("downloadUrls").forEach(url -> all.add((String) url));
    second.getJsonArray("downloadUrls").forEach(url -> all.add((String) url));
    for (int i = 0; i < 7; i++) {
      assertThat(all.get(i)).contains(String.format("/part-%05d.csv?", i));
      String body = new String(download(all.get(i)).body(), StandardCharsets.UTF_8);
      assertThat(body.split("\r\n")).as("file %d", i).hasSize(i + 2);
    }
  }

  @Test
  void shouldRefuseBadNextTokens() throws Exception {
    String id = succeeded(1);
    String other = succeeded(1);
    List<ResultFile> six = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      six.add(ResultFile.generated(1));
    }
    simulator.scriptResultsFor(id, six);
    simulator.scriptResultsFor(other, six);
    String othersToken = downloadUrls(other, null).getString("nextToken");

    for (String token : List.of("not-a-token", othersToken, "dTE6eDo5OQ")) {
      HttpResponse<String> answer = api(EXECUTIONS + "/" + id + "/downloadUrls?nextToken=" + token);

      assertThat(answer.statusCode()).as(token).isEqualTo(400);
      assertThat(new JsonObject(answer.body()).getString("code")).isEqualTo("400");
    }
  }

  @Test
  void shouldKeyResultScriptsLikeExecutionScripts() throws Exception {
    simulator.scriptResults("SELECT 2", List.of(ResultFile.generated(1), ResultFile.generated(2)));
    simulator.scriptResults("wf_preloaded", List.of(ResultFile.wide(1)));

    String adHoc =
        created(new JsonObject().put("workflow", new JsonObject().put("sqlQuery", "SELECT 2")));
    String preloaded = succeeded(1);
    String unscripted = created(new JsonObject().put("workflowId", "wf_plain"));

    assertThat(urls(adHoc)).hasSize(2);
    assertThat(new String(download(urls(preloaded).get(0)).body(), StandardCharsets.UTF_8))
        .startsWith("row_number,");
    assertThat(urls(unscripted)).hasSize(1);
  }

  @Test
  void shouldServeLiteralFilesExactly() throws Exception {
    byte[] bom = "\uFEFFa,b\r\n1,\"unterminated\r\n".getBytes(StandardCharsets.UTF_8);
    byte[] json = "[{\"a\":1},{\"a\":2}]".getBytes(StandardCharsets.UTF_8);
    byte[] ndjson = "{\"a\":1}\n{\"a\":2}\n".getBytes(StandardCharsets.UTF_8);
    byte[] big = new byte[200_000];
    new Random(7).nextBytes(big);
    String id = succeeded(1);
    simulator.scriptResultsFor(
        id,
        List.of(
            ResultFile.literal(null, bom, "text/csv; charset=utf-8"),
            ResultFile.literal(null, json, "application/json"),
            ResultFile.literal(null, ndjson, "application/x-ndjson"),
            ResultFile.literal("blob.bin", big, "application/octet-stream"),
            ResultFile.literal(null, new byte[0], null)));

    List<String> urls = urls(id);
    List<byte[]> expected = List.of(bom, json, ndjson, big, new byte[0]);
    List<String> names =
        List.of(
            "part-00000.csv", "part-00001.json", "part-00002.ndjson", "blob.bin", "part-00004.csv");
    List<String> types =
        List.of(
            "text/csv; charset=utf-8",
            "application/json",
            "application/x-ndjson",
            "application/octet-stream",
            "text/csv");

    for (int i = 0; i < expected.size(); i++) {
      HttpResponse<byte[]> file = download(urls.get(i));
      assertThat(urls.get(i)).contains("/" + names.get(i) + "?");
      assertThat(file.body()).isEqualTo(expected.get(i));
      assertThat(file.headers().firstValue("Content-Type")).hasValue(types.get(i));
      assertThat(file.headers().firstValueAsLong("Content-Length"))
          .hasValue(expected.get(i).length);
    }
  }

  @Test
  void shouldServeGzipEitherAnnouncedOrAsMagicBytesOnly() throws Exception {
    String id = succeeded(1);
    simulator.scriptResultsFor(
        id,
        List.of(
            ResultFile.generated(30_000),
            ResultFile.generated(30_000).withGzip(ResultFile.GzipMode.CONTENT_ENCODING),
            ResultFile.generated(30_000).withGzip(ResultFile.GzipMode.MAGIC_ONLY),
            ResultFile.literal(
                    "small.json", "[1]".getBytes(StandardCharsets.UTF_8), "application/json")
                .withGzip(ResultFile.GzipMode.CONTENT_ENCODING)));
    List<String> urls = urls(id);

    byte[] plain = download(urls.get(0)).body();
    HttpResponse<byte[]> announced = download(urls.get(1));
    HttpResponse<byte[]> magic = download(urls.get(2));
    HttpResponse<byte[]> small = download(urls.get(3));

    assertThat(announced.headers().firstValue("Content-Encoding")).hasValue("gzip");
    assertThat(announced.headers().firstValue("Content-Type")).hasValue("text/csv");
    assertThat(announced.headers().firstValue("Content-Length")).isEmpty();
    assertThat(ResultFileTest.gunzip(announced.body())).isEqualTo(plain);
    assertThat(magic.headers().firstValue("Content-Encoding")).isEmpty();
    assertThat(magic.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
    assertThat(magic.body()[0]).isEqualTo((byte) 0x1f);
    assertThat(magic.body()[1]).isEqualTo((byte) 0x8b);
    assertThat(ResultFileTest.gunzip(magic.body())).isEqualTo(plain);
    assertThat(new String(ResultFileTest.gunzip(small.body()), StandardCharsets.UTF_8))
        .isEqualTo("[1]");
  }

  @Test
  void shouldServeFilesOnDiskAsTheyAre(@TempDir Path dir) throws Exception {
    byte[] bytes = new byte[300_000];
    new Random(11).nextBytes(bytes);
    Path path = Files.write(dir.resolve("result.csv"), bytes);
    String id = succeeded(1);
    simulator.scriptResultsFor(
        id,
        List.of(
            ResultFile.onDisk(path, "text/csv"),
            ResultFile.onDisk(path, "text/csv").withGzip(ResultFile.GzipMode.CONTENT_ENCODING)));
    List<String> urls = urls(id);

    HttpResponse<byte[]> plain = download(urls.get(0));
    HttpResponse<byte[]> gzip = download(urls.get(1));
    simulator.scriptS3Faults(id, List.of(S3Fault.TRUNCATE));
    Received truncated = receive(urls.get(0));

    assertThat(plain.body()).isEqualTo(bytes);
    assertThat(plain.headers().firstValueAsLong("Content-Length")).hasValue(bytes.length);
    assertThat(plain.headers().firstValue("Content-Type")).hasValue("text/csv");
    assertThat(ResultFileTest.gunzip(gzip.body())).isEqualTo(bytes);
    assertThat(truncated.contentLength()).isEqualTo(bytes.length);
    assertThat(truncated.bytes()).isLessThan(bytes.length);
  }

  // ---- S3 faults ----

  @Test
  void shouldAnswerExpiredWithAccessDeniedUntilTheNextGet() throws Exception {
    String url = urls(succeeded(1)).get(0);
    simulator.scriptS3Faults(AmcSimulator.ANY, List.of(S3Fault.EXPIRED));

    HttpResponse<byte[]> expired = download(url);

    assertThat(expired.statusCode()).isEqualTo(403);
    assertThat(expired.headers().firstValue("Content-Type")).hasValue("application/xml");
    assertThat(new String(expired.body(), StandardCharsets.UTF_8))
        .contains("<Code>AccessDenied</Code><Message>Request has expired</Message>");
    assertThat(download(url).statusCode()).isEqualTo(200);
  }

  @Test
  void shouldExpireUrlsAfterTheirLifetime() throws Exception {
    String url = urls(succeeded(1)).get(0);

    clock.advance(Duration.ofMinutes(9));
    int early = download(url).statusCode();
    clock.advance(Duration.ofMinutes(2));
    HttpResponse<byte[]> late = download(url);

    assertThat(early).isEqualTo(200);
    assertThat(late.statusCode()).isEqualTo(403);
    assertThat(new String(late.body(), StandardCharsets.UTF_8)).contains("Request has expired");
  }

  @Test
  void shouldAnswerServerErrorAndRedirectInsteadOfTheFile() throws Exception {
    String id = succeeded(1);
    String url = urls(id).get(0);
    simulator.scriptS3Faults(id, List.of(S3Fault.SERVER_ERROR, S3Fault.NONE, S3Fault.REDIRECT));

    HttpResponse<byte[]> error = download(url);
    int normal = download(url).statusCode();
    HttpResponse<byte[]> redirect = download(url);

    assertThat(error.statusCode()).isEqualTo(500);
    assertThat(new String(error.body(), StandardCharsets.UTF_8))
        .contains("<Code>InternalError</Code>");
    assertThat(normal).isEqualTo(200);
    assertThat(redirect.statusCode()).isEqualTo(302);
    assertThat(redirect.headers().firstValue("Location"))
        .hasValueSatisfying(
            location ->
                assertThat(location)
                    .startsWith("https://elsewhere.example.com/simulator/s3/" + id + "/"));
    assertThat(download(url).statusCode()).isEqualTo(200);
  }

  @Test
  void shouldApplyOwnFaultsBeforeTheWildcard() throws Exception {
    String id = succeeded(1);
    String other = succeeded(1);
    simulator.scriptS3Faults(AmcSimulator.ANY, List.of(S3Fault.REDIRECT));
    simulator.scriptS3Faults(id, List.of(S3Fault.SERVER_ERROR));

    List<Integer> codes = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      codes.add(download(urls(id).get(0)).statusCode());
    }

    assertThat(codes).containsExactly(500, 302, 200);
    assertThat(download(urls(other).get(0)).statusCode()).isEqualTo(200);
  }

  @Test
  void shouldSendHalfOfTheAnnouncedLengthAndCloseOnTruncate() throws Exception {
    String id = succeeded(1);
    simulator.scriptResultsFor(
        id,
        List.of(
            ResultFile.generated(100_000),
            ResultFile.generated(100_000).withGzip(ResultFile.GzipMode.CONTENT_ENCODING)));
    List<String> urls = urls(id);
    simulator.scriptS3Faults(id, List.of(S3Fault.TRUNCATE, S3Fault.TRUNCATE));

    Received plain = receive(urls.get(0));
    Received gzip = receive(urls.get(1));
    HttpResponse<byte[]> whole = download(urls.get(0));

    assertThat(plain.contentLength()).isEqualTo(whole.body().length);
    assertThat(plain.failed() || plain.bytes() < plain.contentLength()).isTrue();
    assertThat(plain.bytes()).isBetween(1L, plain.contentLength() / 2);
    assertThat(gzip.failed()).as("a chunked body without its last chunk").isTrue();
  }

  @Test
  void shouldHoldTheLast64KibOnStallUntilReleased() throws Exception {
    String id = succeeded(1);
    simulator.scriptResultsFor(id, List.of(ResultFile.generated(30_000)));
    String url = urls(id).get(0);
    simulator.scriptS3Faults(id, List.of(S3Fault.STALL));

    HttpResponse<InputStream> response = open(url);
    long length = response.headers().firstValueAsLong("Content-Length").orElseThrow();
    AtomicLong received = new AtomicLong();
    CompletableFuture<Long> reading =
        CompletableFuture.supplyAsync(() -> drain(response, received));

    await().atMost(WAIT).until(() -> received.get() == length - 64 * 1024);
    assertThat(simulator.stalledResponses()).isEqualTo(1);
    // Nothing more arrives while stalled: the count holds for the whole window.
    await()
        .during(Duration.ofMillis(300))
        .atMost(WAIT)
        .until(() -> received.get() == length - 64 * 1024);
    assertThat(reading).isNotDone();

    simulator.releaseStalls();

    assertThat(reading.get()).isEqualTo(length);
    assertThat(simulator.stalledResponses()).isZero();
  }

  @Test
  void shouldHoldHalfOfASmallGzipFileOnStallThenComplete() throws Exception {
    byte[] bytes = "a,b\n1,2\n".repeat(1000).getBytes(StandardCharsets.UTF_8);
    String id = succeeded(1);
    simulator.scriptResultsFor(
        id,
        List.of(
            ResultFile.literal(null, bytes, "text/csv").withGzip(ResultFile.GzipMode.MAGIC_ONLY)));
    String url = urls(id).get(0);
    simulator.scriptS3Faults(id, List.of(S3Fault.STALL));

    HttpResponse<InputStream> response = open(url);
    CompletableFuture<byte[]> body =
        CompletableFuture.supplyAsync(
            () -> {
              try (InputStream in = response.body()) {
                return in.readAllBytes();
              } catch (IOException e) {
                throw new IllegalStateException(e);
              }
            });
    await().atMost(WAIT).until(() -> simulator.stalledResponses() == 1);
    assertThat(body).isNotDone();

    simulator.releaseStalls();

    assertThat(ResultFileTest.gunzip(body.get())).isEqualTo(bytes);
  }

  @Test
  void shouldCloseStalledDownloadsOnReset() throws Exception {
    String id = succeeded(1);
    simulator.scriptResultsFor(id, List.of(ResultFile.generated(10_000)));
    simulator.scriptS3Faults(id, List.of(S3Fault.STALL));
    HttpResponse<InputStream> response = open(urls(id).get(0));
    long length = response.headers().firstValueAsLong("Content-Length").orElseThrow();
    CompletableFuture<Long> reading =
        CompletableFuture.supplyAsync(() -> drain(response, new AtomicLong()));
    await().atMost(WAIT).until(() -> simulator.stalledResponses() == 1);

    simulator.reset();

    await().atMost(WAIT).until(reading::isDone);
    assertThat(reading.isCompletedExceptionally() || reading.get() < length).isTrue();
    assertThat(simulator.stalledResponses()).isZero();
  }

  // ---- counters and volume ----

  @Test
  void shouldCountS3GetsPerExecutionUntilReset() throws Exception {
    String id = succeeded(1);
    String other = succeeded(1);
    String url = urls(id).get(0);

    download(url);
    download(url.replaceAll("X-Amz-Signature=[0-9a-f]+", "X-Amz-Signature=00"));
    download(urls(other).get(0));

    assertThat(simulator.s3Gets(id)).isEqualTo(2);
    assertThat(simulator.s3Gets(other)).isEqualTo(1);
    assertThat(simulator.s3Gets("nobody")).isZero();
    assertThat(simulator.s3GetsTotal()).isEqualTo(3);
    simulator.reset();
    assertThat(simulator.s3Gets(id)).isZero();
    assertThat(simulator.s3GetsTotal()).isZero();
  }

  @Test
  void shouldStreamAFileOfSeveralHundredMegabytesThrough() throws Exception {
    String id = succeeded(1);
    simulator.scriptResultsFor(id, List.of(ResultFile.generated(6_000_000)));

    HttpResponse<InputStream> response = open(urls(id).get(0));
    long length = response.headers().firstValueAsLong("Content-Length").orElseThrow();
    long received = drain(response, new AtomicLong());

    assertThat(length).isGreaterThan(300_000_000L);
    assertThat(received).isEqualTo(length);
  }

  // ---- helpers ----

  /** What a client got from a download that may break off. */
  private record Received(long contentLength, long bytes, boolean failed) {}

  private Received receive(String url) throws Exception {
    HttpResponse<InputStream> response = open(url);
    long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
    AtomicLong received = new AtomicLong();
    try {
      drain(response, received);
      return new Received(length, received.get(), false);
    } catch (IllegalStateException e) {
      return new Received(length, received.get(), true);
    }
  }

  /** Reads and discards the body, counting bytes as they come; IOException as unchecked. */
  private static long drain(HttpResponse<InputStream> response, AtomicLong received) {
    byte[] buffer = new byte[64 * 1024];
    try (InputStream in = response.body()) {
      int read;
      while ((read = in.read(buffer)) >= 0) {
        received.addAndGet(read);
      }
      return received.get();
    } catch (IOException e) {
      throw new IllegalStateException("download broke off after " + received.get(), e);
    }
  }

  /** A preloaded execution that has already SUCCEEDED with the default demo CSV of rows. */
  private String succeeded(int rows) {
    return simulator.preload(
        INSTANCE, "wf_preloaded", ExecutionScript.succeeds(Duration.ZERO, Duration.ZERO, rows));
  }

  /** Creates an execution with the default script and moves the clock until it SUCCEEDED. */
  private String created(JsonObject body) throws Exception {
    HttpResponse<String> response =
        http.send(
            amc(URI.create(base + EXECUTIONS))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.encode()))
                .build(),
            BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    clock.advance(Duration.ofMinutes(1));
    return new JsonObject(response.body()).getString("workflowExecutionId");
  }

  private JsonObject downloadUrls(String id, String nextToken) throws Exception {
    String query =
        nextToken == null
            ? ""
            : "?nextToken=" + URLEncoder.encode(nextToken, StandardCharsets.UTF_8);
    HttpResponse<String> response = api(EXECUTIONS + "/" + id + "/downloadUrls" + query);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return new JsonObject(response.body());
  }

  /** Every URL of the execution's result, page after page. */
  private List<String> urls(String id) throws Exception {
    List<String> urls = new ArrayList<>();
    String next = null;
    do {
      JsonObject page = downloadUrls(id, next);
      JsonArray pageUrls = page.getJsonArray("downloadUrls");
      pageUrls.forEach(url -> urls.add((String) url));
      next = page.getString("nextToken");
    } while (next != null);
    return urls;
  }

  private HttpResponse<String> api(String path) throws Exception {
    return http.send(amc(URI.create(base + path)).GET().build(), BodyHandlers.ofString());
  }

  private HttpResponse<byte[]> download(String url) throws Exception {
    return http.send(get(url), BodyHandlers.ofByteArray());
  }

  private HttpResponse<InputStream> open(String url) throws Exception {
    return http.send(get(url), BodyHandlers.ofInputStream());
  }

  private static HttpRequest get(String url) {
    return HttpRequest.newBuilder(URI.create(url)).timeout(WAIT).GET().build();
  }

  private HttpRequest.Builder amc(URI uri) {
    return HttpRequest.newBuilder(uri)
        .timeout(WAIT)
        .header("Authorization", "Bearer " + token)
        .header("Amazon-Advertising-API-ClientId", "sim-client")
        .header("Amazon-Advertising-API-AdvertiserId", "ENTITY1AA1AA11AAA1")
        .header("Amazon-Advertising-API-MarketplaceId", "ATVPDKIKX0DER");
  }

  private String freshToken() throws Exception {
    String form =
        "grant_type=refresh_token&client_id=sim-client&client_secret=sim-secret&refresh_token="
            + URLEncoder.encode("Atzr|sim-refresh-token", StandardCharsets.UTF_8);
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/auth/o2/token"))
                .timeout(WAIT)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build(),
            BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return new JsonObject(response.body()).getString("access_token");
  }
}
