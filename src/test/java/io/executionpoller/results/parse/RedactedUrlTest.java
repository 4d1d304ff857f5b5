package io.executionpoller.results.parse;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RedactedUrlTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      nullValues = "NULL",
      value = {
        "https://bucket.s3.amazonaws.com/out/part-0.csv?X-Amz-Signature=SECRET&X-Amz-Credential=SECRET,"
            + " https://bucket.s3.amazonaws.com/out/part-0.csv",
        "https://user:SECRET@host.example.com:8443/a/b?q=SECRET#frag, https://host.example.com:8443/a/b",
        "https://SECRET@host.example.com/a, https://host.example.com/a",
        "http://localhost:9000/bucket/key, http://localhost:9000/bucket/key",
        "https://host.example.com, https://host.example.com",
        "https://host.example.com/, https://host.example.com/",
        "https://host.example.com/?SECRET, https://host.example.com/",
        "https://host.example.com?SECRET, https://host.example.com",
        "https://host.example.com/x#SECRET?y, https://host.example.com/x",
        "https://host.example.com/a%20b%2Fc.csv?sig=SECRET, https://host.example.com/a%20b%2Fc.csv",
        "https://[::1]:8080/x?SECRET, https://[::1]:8080/x",
        "HTTPS://Host.Example.com/Path, HTTPS://Host.Example.com/Path",
        "'  https://host.example.com/p?SECRET  ', https://host.example.com/p",
        "not a url, <unparsable url>",
        "https://exa mple.com/?sig=SECRET, <unparsable url>",
        "https://host.example.com/a b?sig=SECRET, <unparsable url>",
        "/relative/path?sig=SECRET, <unparsable url>",
        "host.example.com/p?sig=SECRET, <unparsable url>",
        "mailto:someone@example.com?subject=SECRET, <unparsable url>",
        "https://under_score.example.com/p?sig=SECRET, <unparsable url>",
        "'', <unparsable url>",
        "NULL, <unparsable url>",
      })
  void shouldDropQueryFragmentAndUserinfo(String url, String expected) {
    String redacted = RedactedUrl.of(url);
    assertThat(redacted).isEqualTo(expected).doesNotContain("SECRET");
  }
}
