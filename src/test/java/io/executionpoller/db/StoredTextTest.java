package io.executionpoller.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class StoredTextTest {

  static Stream<Arguments> texts() {
    return Stream.of(
        Arguments.of("null stays null", null, null),
        Arguments.of("empty", "", ""),
        Arguments.of(
            "plain text", "HTTP 500 Internal Server Error", "HTTP 500 Internal Server Error"),
        Arguments.of("NUL", "a\u0000b", "a\uFFFDb"),
        Arguments.of("only NULs", "\u0000\u0000", "\uFFFD\uFFFD"),
        Arguments.of("control chars other than NUL kept", "a\tb\nc\u0001", "a\tb\nc\u0001"),
        Arguments.of("valid pair kept", "x\uD83D\uDE00y", "x\uD83D\uDE00y"),
        Arguments.of("lone high surrogate", "x\uD83Dy", "x\uFFFDy"),
        Arguments.of("lone high surrogate at the end", "x\uD83D", "x\uFFFD"),
        Arguments.of("lone low surrogate", "x\uDE00y", "x\uFFFDy"),
        Arguments.of("reversed pair", "\uDE00\uD83D", "\uFFFD\uFFFD"),
        Arguments.of(
            "undecodable bytes as the HTTP client reads them",
            new String(new byte[] {'o', 'k', 0, (byte) 0xff, (byte) 0xc3}, StandardCharsets.UTF_8),
            "ok\uFFFD\uFFFD\uFFFD"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("texts")
  void shouldMakeTextStorable(String name, String text, String stored) {
    assertThat(StoredText.of(text)).isEqualTo(stored);
  }

  @Test
  void shouldKeepTextOfExactlyTheLimit() {
    String text = "a".repeat(StoredText.MAX_LENGTH);
    assertThat(StoredText.of(text)).isSameAs(text);
  }

  @Test
  void shouldCutLongTextToTheLimitAndSayHowMuchWasCut() {
    String text = "a".repeat(StoredText.MAX_LENGTH + 100);
    String stored = StoredText.of(text);
    assertThat(stored).hasSizeLessThanOrEqualTo(StoredText.MAX_LENGTH).startsWith("aaaa");
    int kept = stored.indexOf("...");
    assertThat(stored).endsWith("... [" + (text.length() - kept) + " more chars cut]");
  }

  @Test
  void shouldNeverCutInsideASurrogatePair() {
    String text = "\uD83D\uDE00".repeat(StoredText.MAX_LENGTH);
    String stored = StoredText.of(text);
    assertThat(stored).hasSizeLessThanOrEqualTo(StoredText.MAX_LENGTH).doesNotContain("\uFFFD");
    String kept = stored.substring(0, stored.indexOf("..."));
    assertThat(kept.length() % 2).isZero();
  }

  @Test
  void shouldCleanAndCutTogether() {
    String text = "\u0000".repeat(StoredText.MAX_LENGTH * 2);
    String stored = StoredText.of(text);
    assertThat(stored).doesNotContain("\u0000").hasSizeLessThanOrEqualTo(StoredText.MAX_LENGTH);
  }
}
