package io.executionpoller.results.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HostAllowListTest {

  private static final HostAllowList DEFAULTS_AND_LOCAL;

  static {
    List<String> patterns = new ArrayList<>(HostAllowList.AMC_S3_DEFAULTS);
    patterns.addAll(List.of("localhost", "127.0.0.1", "[::1]", "Minio.Internal"));
    DEFAULTS_AND_LOCAL = HostAllowList.of(patterns);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      nullValues = "NULL",
      value = {
        // global endpoint, path-style and virtual-hosted
        "s3.amazonaws.com, true",
        "bucket.s3.amazonaws.com, true",
        "my-bucket.s3.amazonaws.com, true",
        "a.b.s3.amazonaws.com, true",
        // regional
        "s3.us-east-1.amazonaws.com, true",
        "b.s3.eu-west-1.amazonaws.com, true",
        "x.y.s3.eu-west-1.amazonaws.com, true",
        // legacy dash-regional
        "s3-eu-west-1.amazonaws.com, true",
        "bucket.s3-eu-west-1.amazonaws.com, true",
        "s3-external-1.amazonaws.com, true",
        // case-insensitive
        "BUCKET.S3.AmazonAWS.com, true",
        "S3.US-EAST-1.AMAZONAWS.COM, true",
        // exact entries
        "localhost, true",
        "LOCALHOST, true",
        "127.0.0.1, true",
        "[::1], true",
        "minio.internal, true",
        // look-alikes
        "s3.amazonaws.com.evil.com, false",
        "bucket.s3.amazonaws.com.evil.com, false",
        "evils3.amazonaws.com, false",
        "evil-s3.amazonaws.com, false",
        "s3evil.amazonaws.com, false",
        "amazonaws.com, false",
        "s3.amazonaws.co, false",
        "bucket.s3.amazonaws.com.cn, false",
        "s3.us-east-1.evil.amazonaws.com, false",
        "s3.us-east-1.amazonaws.com.evil.com, false",
        "x.s3.evil.com, false",
        "s3-.amazonaws.com, false",
        "s3.-.amazonaws.com, true",
        // not plain DNS names: only an exact pattern could match them
        "bucket.s3.amazonaws.com., false",
        "s3.amazonaws.com., false",
        ".s3.amazonaws.com, false",
        "a..s3.amazonaws.com, false",
        "bucket_x.s3.amazonaws.com, false",
        "user@bucket.s3.amazonaws.com, false",
        "bucket.s3.amazonaws.com:443, false",
        "bücket.s3.amazonaws.com, false",
        "bucket.s3.amazonaws.com/x, false",
        "'bucket s3.amazonaws.com', false",
        // other hosts
        "127.0.0.2, false",
        "localhost.evil.com, false",
        "[::2], false",
        "169.254.169.254, false",
        "'', false",
        "NULL, false",
      })
  void shouldMatchDefaultsAndExactHosts(String host, boolean allowed) {
    assertThat(DEFAULTS_AND_LOCAL.allows(host)).isEqualTo(allowed);
  }

  @ParameterizedTest(name = "{0} vs {1} -> {2}")
  @CsvSource({
    "*.example.com, a.example.com, true",
    "*.example.com, a.b.c.example.com, true",
    "*.example.com, example.com, false",
    "*.example.com, aexample.com, false",
    "a*.example.com, ab.example.com, true",
    "a*.example.com, a.example.com, false",
    "a*.example.com, ba.example.com, false",
    "*a.example.com, ba.example.com, true",
    "*a.example.com, x.ba.example.com, false",
    "a*b.example.com, a-b.example.com, true",
    "a*b.example.com, ab.example.com, false",
    "a*b.example.com, axxbyyb.example.com, true",
    "s3-*-*.example.com, s3-eu-west-1.example.com, true",
    "s3-*-*.example.com, s3-eu.example.com, false",
    "x.*.example.com, x.y.example.com, true",
    "x.*.example.com, x.y.z.example.com, false",
    "*.x.*.example.com, a.x.b.example.com, true",
    "*.x.*.example.com, x.b.example.com, false",
    "*.EXAMPLE.com, a.example.COM, true",
  })
  void shouldMatchHostsAgainstWildcardPatterns(String pattern, String host, boolean allowed) {
    assertThat(HostAllowList.of(List.of(pattern)).allows(host)).isEqualTo(allowed);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "*",
        "*.*",
        "**",
        "*.*a**.com",
        " ",
        "",
        "*.exa_mple.com",
        "*..example.com",
        "*.example.com."
      })
  void shouldRejectUnsafeOrMalformedPatterns(String pattern) {
    assertThatThrownBy(() -> HostAllowList.of(Arrays.asList(pattern)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"bucket.s3.amazonaws.com", "localhost"})
  void shouldAllowNothingWithAnEmptyList(String host) {
    assertThat(HostAllowList.of(List.of()).allows(host)).isFalse();
  }
}
