package io.executionpoller.results;

import static org.assertj.core.api.Assertions.assertThat;

import io.executionpoller.failure.ErrorType;
import java.io.IOException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DownloadFailureTest {

  private static final String URL = "https://b.s3.amazonaws.com/part-00000.csv";

  @ParameterizedTest(name = "HTTP {0} -> {1}, retryable {2}, fresh URLs {3}")
  @CsvSource({
    "403, PERMISSION_ERROR, true,  true",
    "404, PERMISSION_ERROR, true,  true",
    "301, PERMISSION_ERROR, false, false",
    "302, PERMISSION_ERROR, false, false",
    "307, PERMISSION_ERROR, false, false",
    "429, RESOURCE_ERROR,   true,  false",
    "500, RESOURCE_ERROR,   true,  false",
    "503, RESOURCE_ERROR,   true,  false",
    "400, UNKNOWN_ERROR,    false, false",
    "416, UNKNOWN_ERROR,    false, false",
  })
  void shouldClassifyRefusedTransfers(
      int status, ErrorType type, boolean retryable, boolean renewUrls) {
    DownloadFailure failure = DownloadFailure.refused(URL, status);
    assertThat(failure.type()).isEqualTo(type);
    assertThat(failure.retryable()).isEqualTo(retryable);
    assertThat(failure.renewUrls()).isEqualTo(renewUrls);
    assertThat(failure.getMessage()).contains(URL).contains("HTTP " + status);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "The timeout period of 60000ms has been exceeded while executing GET /part-00000.csv?X-Amz-Signature=s3cr3t for server b:443",
        "Connection reset by peer https://b/x?X-Amz-Credential=s3cr3t&X-Amz-Signature=s3cr3t",
        "'GET /k?sig=s3cr3t' failed",
        "\"GET /k?sig=s3cr3t\" failed",
      })
  void shouldNeverRepeatAQueryStringFromATransportError(String message) {
    DownloadFailure failure = DownloadFailure.transport(URL, new IOException(message));
    assertThat(failure.getMessage()).doesNotContain("s3cr3t").contains("?<redacted>");
    assertThat(failure.type()).isEqualTo(ErrorType.NETWORK_ERROR);
    assertThat(failure.retryable()).isTrue();
  }

  @ParameterizedTest
  @CsvSource({"12, 100", "0, 5"})
  void shouldTreatATruncatedTransferAsRetryable(long received, long announced) {
    DownloadFailure failure = DownloadFailure.truncated(URL, received, announced);
    assertThat(failure.retryable()).isTrue();
    assertThat(failure.getMessage()).contains(received + " of " + announced + " bytes");
  }

  @ParameterizedTest
  @CsvSource({"not ready"})
  void shouldTreatNotReadyAndDeadlinesAsRetryableAndLetTimeoutsNameThemselves(String text) {
    assertThat(DownloadFailure.notReady(text).retryable()).isTrue();
    assertThat(DownloadFailure.notReady(text).type()).isEqualTo(ErrorType.RESOURCE_ERROR);
    assertThat(DownloadFailure.deadline(text).retryable()).isTrue();
    assertThat(DownloadFailure.transport(URL, new TimeoutException("idle")).getMessage())
        .contains("TimeoutException");
    assertThat(DownloadFailure.notAllowed(URL, "must use https").retryable()).isFalse();
  }
}
