package io.executionpoller.notify;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Two self-signed certificates for {@code localhost}, made before the application starts with the
 * running JDK's keytool (Vert.x's SelfSignedCertificate needs BouncyCastle or JDK internals, absent
 * here): the webhook client is told to trust the first (the test-only trust setting), never the
 * second. Each receiver serves its PKCS#12 key store; the trusted certificate is exported as PEM.
 */
public class WebhookTlsResource implements QuarkusTestResourceLifecycleManager {

  static final Path DIRECTORY = Path.of("target", "webhook-tls");
  static final Path TRUSTED = DIRECTORY.resolve("trusted.p12");
  static final Path UNTRUSTED = DIRECTORY.resolve("untrusted.p12");
  static final Path TRUSTED_CERT = DIRECTORY.resolve("trusted-cert.pem");
  static final String PASSWORD = "receiver-keystore";

  @Override
  public Map<String, String> start() {
    try {
      Files.createDirectories(DIRECTORY);
      make(TRUSTED);
      make(UNTRUSTED);
      keytool(
          "-exportcert",
          "-rfc",
          "-alias",
          "receiver",
          "-keystore",
          TRUSTED.toString(),
          "-storepass",
          PASSWORD,
          "-file",
          TRUSTED_CERT.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Map.of(
        "poller.notifications.test-trust-certificates", TRUSTED_CERT.toAbsolutePath().toString());
  }

  private static void make(Path store) throws IOException {
    Files.deleteIfExists(store);
    keytool(
        "-genkeypair",
        "-alias",
        "receiver",
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        "CN=localhost",
        "-ext",
        "SAN=dns:localhost",
        "-validity",
        "2",
        "-storetype",
        "PKCS12",
        "-keystore",
        store.toString(),
        "-storepass",
        PASSWORD);
  }

  private static void keytool(String... arguments) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(arguments));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException("keytool did not finish within 60 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted waiting for keytool", e);
    }
    if (process.exitValue() != 0) {
      throw new IOException(
          "keytool failed: " + new String(process.getInputStream().readAllBytes()));
    }
  }

  @Override
  public void stop() {
    // The files stay under target/ for a look after a failure; the next run replaces them.
  }
}
