package io.executionpoller.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkus.runtime.LaunchMode;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The test-only trust setting is honoured in dev and test builds, and refused by production. */
class WebhookSenderTrustTest {

  private static final Optional<List<String>> TEST_CERTIFICATE =
      Optional.of(List.of("target/webhook-tls/trusted-cert.pem"));

  @Test
  void shouldRefuseToStartAProductionBuildThatIsToldToTrustATestCertificate() {
    assertThatThrownBy(
            () ->
                WebhookSender.trusting(TEST_CERTIFICATE, LaunchMode.NORMAL, new WebClientOptions()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("poller.notifications.test-trust-certificates");
  }

  @Test
  void shouldKeepTheJvmTrustStoreInProductionWhenTheSettingIsUnset() {
    WebClientOptions options =
        WebhookSender.trusting(Optional.empty(), LaunchMode.NORMAL, new WebClientOptions());

    assertThat(options.getTrustOptions()).isNull();
    assertThat(
            WebhookSender.trusting(
                    Optional.of(List.of()), LaunchMode.NORMAL, new WebClientOptions())
                .getTrustOptions())
        .isNull();
  }

  @Test
  void shouldTrustTheTestCertificateInTestAndDevBuilds() {
    for (LaunchMode mode : List.of(LaunchMode.TEST, LaunchMode.DEVELOPMENT)) {
      WebClientOptions options =
          WebhookSender.trusting(TEST_CERTIFICATE, mode, new WebClientOptions());

      assertThat(options.getTrustOptions()).isInstanceOf(PemTrustOptions.class);
      assertThat(((PemTrustOptions) options.getTrustOptions()).getCertPaths())
          .containsExactly("target/webhook-tls/trusted-cert.pem");
    }
  }
}
