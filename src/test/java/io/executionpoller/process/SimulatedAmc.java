package io.executionpoller.process;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.executionpoller.simulator.AmcSimulator.ExecutionRecord;
import io.executionpoller.simulator.ExecutionScript;
import io.executionpoller.simulator.TestRouteBodies;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AMC for the process tests: a child process of the build with the simulator included ({@link
 * PackagedDaemon#simulatorJar()}), the simulator on and the poll loop, downloads and housekeeping
 * off, on a scratch database of its own. It outlives the daemons the tests kill, so remote state
 * survives their crashes. Scripts and the record of what it saw go through its test routes ({@code
 * /simulator/test}, see SimulatorTestRoutes).
 */
final class SimulatedAmc implements AutoCloseable {

  static final String CLIENT_ID = "sim-client";
  static final String CLIENT_SECRET = "sim-secret";
  static final String REFRESH_TOKEN = "Atzr|sim-refresh-token";
  static final String MARKETPLACE = "ATVPDKIKX0DER";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final ScratchDatabase database;
  private final PackagedDaemon process;

  private SimulatedAmc(ScratchDatabase database, PackagedDaemon process) {
    this.database = database;
    this.process = process;
  }

  static SimulatedAmc start(String name) {
    return start(name, Map.of());
  }

  /** An AMC with extra simulator settings ({@code POLLER_SIMULATOR_*}). */
  static SimulatedAmc start(String name, Map<String, String> settings) {
    ScratchDatabase database = ScratchDatabase.create(name);
    Map<String, String> env = PackagedDaemon.database(database);
    env.put("POLLER_SIMULATOR_ENABLED", "true");
    env.put("POLLER_POLL_ENABLED", "false");
    env.put("POLLER_RESULTS_ENABLED", "false");
    env.put("POLLER_HOUSEKEEPING_ENABLED", "false");
    // Queueing behind AMC's ten RUNNING per instance is not what these tests are about.
    env.put("POLLER_SIMULATOR_RUNNING_LIMIT_PER_INSTANCE", "100000");
    env.putAll(settings);
    PackagedDaemon process = PackagedDaemon.start(name, PackagedDaemon.simulatorJar(), env);
    try {
      process.awaitReady(Duration.ofSeconds(90));
    } catch (AssertionError e) {
      process.stop();
      database.close();
      throw e;
    }
    return new SimulatedAmc(database, process);
  }

  /** What the daemons under test need to talk to this AMC. */
  Map<String, String> clientSettings() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("POLLER_AMC_API_BASE_URL", baseUrl());
    env.put("POLLER_AMC_TOKEN_URL", baseUrl() + "/auth/o2/token");
    env.put("POLLER_AMC_CLIENT_ID", CLIENT_ID);
    env.put("POLLER_AMC_CLIENT_SECRET", CLIENT_SECRET);
    env.put("POLLER_AMC_REFRESH_TOKEN", REFRESH_TOKEN);
    env.put("POLLER_RESULTS_ALLOWED_HOSTS", "localhost,127.0.0.1");
    env.put("POLLER_AMC_ALLOWED_API_HOSTS", "localhost,127.0.0.1");
    env.put("POLLER_AMC_REQUIRE_HTTPS", "false");
    env.put("POLLER_RESULTS_REQUIRE_HTTPS", "false");
    return env;
  }

  /** The scratch database of the AMC process. */
  String databaseName() {
    return database.name();
  }

  String baseUrl() {
    return "http://127.0.0.1:" + process.httpPort() + "/simulator";
  }

  /** Executions later created for {@code workflowId} follow this script. */
  void script(String workflowId, ExecutionScript script) {
    HttpResponse<String> response =
        send(
            HttpRequest.newBuilder(URI.create(baseUrl() + "/test/scripts/" + workflowId))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(TestRouteBodies.script(script).encode())));
    if (response.statusCode() != 204) {
      throw new IllegalStateException("scripting " + workflowId + ": " + response.body());
    }
  }

  /** Every execution this AMC has, with the times its checks and downloads arrived. */
  List<ExecutionRecord> executions() {
    return TestRouteBodies.records(
        send(HttpRequest.newBuilder(URI.create(baseUrl() + "/test/executions"))).body());
  }

  /**
   * Downloads a result the way a client of AMC would (token, downloadUrls, each file) and returns
   * each file's sha256 and size: what a stored result must match. Counts as calls in the record.
   */
  List<FileDigest> fetchResult(String instanceId, String advertiserId, String amcExecutionId) {
    String token = token();
    HttpResponse<String> urls =
        send(
            HttpRequest.newBuilder(
                    URI.create(
                        baseUrl()
                            + "/amc/reporting/"
                            + instanceId
                            + "/workflowExecutions/"
                            + amcExecutionId
                            + "/downloadUrls"))
                .header("Authorization", "Bearer " + token)
                .header("Amazon-Advertising-API-ClientId", CLIENT_ID)
                .header("Amazon-Advertising-API-AdvertiserId", advertiserId)
                .header("Amazon-Advertising-API-MarketplaceId", MARKETPLACE));
    try {
      JsonNode answer = JSON.readTree(urls.body());
      if (urls.statusCode() != 200 || !answer.path("nextToken").isNull()) {
        throw new IllegalStateException("downloadUrls answered " + urls.body());
      }
      List<FileDigest> files = new ArrayList<>();
      for (JsonNode url : answer.get("downloadUrls")) {
        HttpResponse<InputStream> file =
            HTTP.send(
                HttpRequest.newBuilder(URI.create(url.asText()))
                    .timeout(Duration.ofSeconds(60))
                    .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        long size;
        try (InputStream body = new DigestInputStream(file.body(), sha)) {
          size = body.transferTo(OutputStream.nullOutputStream());
        }
        files.add(new FileDigest(HexFormat.of().formatHex(sha.digest()), size));
      }
      return files;
    } catch (IOException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("fetching the result of " + amcExecutionId, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private String token() {
    String form =
        "grant_type=refresh_token&client_id="
            + CLIENT_ID
            + "&client_secret="
            + CLIENT_SECRET
            + "&refresh_token="
            + URLEncoder.encode(REFRESH_TOKEN, StandardCharsets.UTF_8);
    HttpResponse<String> response =
        send(
            HttpRequest.newBuilder(URI.create(baseUrl() + "/auth/o2/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)));
    try {
      return JSON.readTree(response.body()).get("access_token").asText();
    } catch (IOException e) {
      throw new IllegalStateException("token: " + response.body(), e);
    }
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return HTTP.send(
          request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException("calling the simulator: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    try {
      process.stop();
    } finally {
      database.close();
    }
  }

  /** sha256 (hex) and size in bytes of one result file as AMC serves it. */
  record FileDigest(String sha256, long bytes) {}
}
