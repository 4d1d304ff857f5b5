package io.executionpoller.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which URLs and resolved addresses a webhook may go to. */
class WebhookTargetsTest {

  private static WebhookTargets targets(boolean requireHttps, String... hosts) {
    return new WebhookTargets(new Settings(Optional.of(List.of(hosts)), requireHttps));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "https://hooks.example.com/a, ",
    "https://x.hooks.example.com/a?token=1, ",
    "http://hooks.example.com/a, url must be https",
    "https://evil.com/a, url host evil.com is not on poller.notifications.allowed-hosts",
    "https://user:pw@hooks.example.com/a, 'url must name a host, without credentials or fragment'",
    "https://hooks.example.com/a#f, 'url must name a host, without credentials or fragment'",
    "ftp://hooks.example.com/a, url must be https",
    "https://hooks.example.com.evil.com/, url host hooks.example.com.evil.com is not on"
        + " poller.notifications.allowed-hosts",
  })
  void shouldRefuseUrlsOffTheListOrNotHttpsOrWithCredentials(String url, String reason) {
    WebhookTargets targets = targets(true, "hooks.example.com", "*.hooks.example.com");
    assertThat(targets.refusal(url)).isEqualTo(Optional.ofNullable(reason));
  }

  @Test
  void shouldRefuseAUrlThatCouldNotBeStoredAsGiven() {
    WebhookTargets targets = targets(true, "hooks.example.com");
    assertThat(targets.refusal("https://hooks.example.com/a\u0000b"))
        .contains("url holds characters that cannot be stored, or is too long");
    assertThat(targets.refusal("https://hooks.example.com/" + "a".repeat(20_000)))
        .contains("url holds characters that cannot be stored, or is too long");
  }

  @Test
  void shouldAllowNothingWithoutAList() {
    WebhookTargets none = new WebhookTargets(new Settings(Optional.empty(), true));
    assertThat(none.refusal("https://hooks.example.com/")).isPresent();
  }

  @Test
  void shouldRefuseANameThatResolvesToLoopbackUnlessTheAddressIsListed() throws Exception {
    // "localhost" is an allowed name here, but it resolves to a loopback address.
    assertThatThrownBy(() -> targets(false, "localhost").resolve("localhost"))
        .isInstanceOf(WebhookTargets.RefusedTarget.class)
        .hasMessageContaining("which is not allowed");
    assertThat(targets(false, "localhost", "127.0.0.1", "[::1]").resolve("localhost"))
        .isEqualTo(InetAddress.getByName("localhost"));
  }

  @ParameterizedTest
  @CsvSource({
    "169.254.169.254",
    "0.0.0.0",
    "224.0.0.1",
    "[fe80::1]",
    "127.0.0.2",
    "10.0.0.1",
    "172.16.0.1",
    "192.168.1.1",
    "100.64.0.1",
    "[fd00:ec2::254]",
    "[64:ff9b::a9fe:a9fe]",
    "[::7f00:1]"
  })
  void shouldRefuseInternalAddressesUnlessListedAsAddresses(String host) throws Exception {
    String address = host.replace("[", "").replace("]", "");
    // What an allowed name resolving to this address meets: the address is checked on its own.
    assertThatThrownBy(() -> targets(false, "hooks.example.com").resolve(address))
        .isInstanceOf(WebhookTargets.RefusedTarget.class)
        .hasMessageContaining("which is not allowed");
    assertThat(targets(false, host).resolve(address)).isEqualTo(InetAddress.getByName(address));
  }

  @Test
  void shouldAcceptAPublicAddress() throws Exception {
    assertThat(targets(true, "93.184.215.14").resolve("93.184.215.14"))
        .isEqualTo(InetAddress.getByName("93.184.215.14"));
  }

  /** The settings WebhookTargets reads; the rest are never called. */
  @Test
  void shouldRequireHttpsOutsideDevAndTestAsShipped() throws Exception {
    assertThat(
            NotificationsConfig.class
                .getMethod("requireHttps")
                .getAnnotation(io.smallrye.config.WithDefault.class)
                .value())
        .as("the default, which the prod profile keeps")
        .isEqualTo("true");
    java.util.Properties shipped = new java.util.Properties();
    // The shipped file, not the test one that shadows it on the class path.
    try (var in =
        java.nio.file.Files.newInputStream(
            java.nio.file.Path.of("src/main/resources/application.properties"))) {
      shipped.load(in);
    }
    for (String key : shipped.stringPropertyNames()) {
      if (key.endsWith("poller.notifications.require-https")
          && !key.startsWith("%dev.")
          && !key.startsWith("%test.")) {
        assertThat(shipped.getProperty(key)).as(key).isEqualTo("true");
      }
    }
    assertThat(targets(true, "localhost", "127.0.0.1").refusal("http://127.0.0.1:8080/hook"))
        .as("with the prod rule even an allowed host is refused over http")
        .contains("url must be https");
  }

  private record Settings(Optional<List<String>> allowedHosts, boolean requireHttps)
      implements NotificationsConfig {

    @Override
    public boolean enabled() {
      return false;
    }

    @Override
    public Duration tick() {
      throw new UnsupportedOperationException();
    }

    @Override
    public Optional<List<String>> testTrustCertificates() {
      return Optional.empty();
    }

    @Override
    public int batchSize() {
      throw new UnsupportedOperationException();
    }

    @Override
    public int maxConcurrentSends() {
      throw new UnsupportedOperationException();
    }

    @Override
    public Duration leaseDuration() {
      throw new UnsupportedOperationException();
    }

    @Override
    public Duration connectTimeout() {
      throw new UnsupportedOperationException();
    }

    @Override
    public Duration requestTimeout() {
      throw new UnsupportedOperationException();
    }

    @Override
    public Duration backoffBase() {
      throw new UnsupportedOperationException();
    }

    @Override
    public Duration backoffCap() {
      throw new UnsupportedOperationException();
    }

    @Override
    public Duration maxAge() {
      throw new UnsupportedOperationException();
    }

    @Override
    public Duration secretGrace() {
      throw new UnsupportedOperationException();
    }

    @Override
    public Stream stream() {
      throw new UnsupportedOperationException();
    }
  }
}
