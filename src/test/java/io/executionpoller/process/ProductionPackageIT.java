package io.executionpoller.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/**
 * The simulator is test scaffolding: the production package carries none of its beans, and its
 * routes are not there even when a deployment sets {@code POLLER_SIMULATOR_ENABLED=true}. The
 * package built for the process tests' AMC carries them, which shows that the check below looks
 * where the beans would be.
 */
class ProductionPackageIT {

  private static final String SIMULATOR_BEANS = "io/executionpoller/simulator/";

  /**
   * Any path the application does not route passes the access filter first, which refuses a request
   * without a token with 401; with this operator token it gets to the routing, and 404.
   */
  private static final String OPERATOR_TOKEN = "process-it-operator-token-0001";

  @Test
  void shouldLeaveEverySimulatorBeanOutOfTheProductionPackage() throws IOException {
    assertThat(simulatorBeans(PackagedDaemon.simulatorJar()))
        .as("simulator beans in the package built for the process tests' AMC")
        .contains(
            SIMULATOR_BEANS + "AmcSimulator_Bean.class",
            SIMULATOR_BEANS + "SimulatorRoutes_Bean.class",
            SIMULATOR_BEANS + "SimulatorTestRoutes_Bean.class",
            SIMULATOR_BEANS + "DemoSeeder_Bean.class");
    assertThat(simulatorBeans(PackagedDaemon.productionJar()))
        .as("simulator beans in the production package")
        .isEmpty();
  }

  @Test
  void shouldAnswerNotFoundOnSimulatorRoutesEvenWhenEnabled() throws Exception {
    try (ScratchDatabase database = ScratchDatabase.create("production_package");
        Daemons daemons = new Daemons()) {
      Map<String, String> env = PackagedDaemon.database(database);
      env.put("POLLER_SIMULATOR_ENABLED", "true");
      env.put("POLLER_SIMULATOR_SEED_DEMO", "true");
      env.put("POLLER_SECURITY_OPERATOR_TOKENS", OPERATOR_TOKEN);
      PackagedDaemon daemon = daemons.start("production-package", env);
      daemon.awaitReady(Duration.ofSeconds(90));
      String base = "http://127.0.0.1:" + daemon.httpPort() + "/simulator";

      assertThat(status(post(base + "/auth/o2/token", "grant_type=refresh_token")))
          .as("the token endpoint")
          .isEqualTo(404);
      assertThat(status(get(base + "/amc/reporting/amcdemo001/workflowExecutions")))
          .as("the AMC executions path")
          .isEqualTo(404);
      assertThat(status(get(base + "/test/executions")))
          .as("the simulator's test routes")
          .isEqualTo(404);
    }
  }

  /** Classes the build generated for beans, observers and proxies of the simulator package. */
  private static List<String> simulatorBeans(Path runJar) throws IOException {
    Path generated = runJar.resolveSibling("quarkus").resolve("generated-bytecode.jar");
    assertThat(generated).exists();
    try (JarFile jar = new JarFile(generated.toFile())) {
      return jar.stream()
          .map(ZipEntry::getName)
          .filter(name -> name.startsWith(SIMULATOR_BEANS))
          .filter(
              name ->
                  name.contains("_Bean") || name.contains("_Observer") || name.contains("_Client"))
          .toList();
    }
  }

  private static HttpRequest.Builder get(String url) {
    return HttpRequest.newBuilder(URI.create(url));
  }

  private static HttpRequest.Builder post(String url, String form) {
    return HttpRequest.newBuilder(URI.create(url))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form));
  }

  private static int status(HttpRequest.Builder request) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            request
                .header("Authorization", "Bearer " + OPERATOR_TOKEN)
                .timeout(Duration.ofSeconds(20))
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }
}
