package io.executionpoller.failure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class RetryAfterTest {

  /** 37 seconds before the RFC's example date, so that date is in the future. */
  private static final Instant NOW = Instant.parse("1994-11-06T08:49:00Z");

  private static final Instant EXAMPLE_DATE = Instant.parse("1994-11-06T08:49:37Z");

  private static final Instant YEAR_LATER = NOW.plus(Duration.ofDays(365));

  private static Arguments at(String description, String header, Instant expected) {
    return Arguments.of(description, header, Optional.of(expected));
  }

  private static Arguments after(String description, String header, long seconds) {
    return at(description, header, NOW.plusSeconds(seconds));
  }

  private static Arguments rejected(String description, String header) {
    return Arguments.of(description, header, Optional.empty());
  }

  static Stream<Arguments> headers() {
    return Stream.of(
        // delta-seconds
        after("delta-seconds", "120", 120),
        after("zero", "0", 0),
        after("surrounding spaces", "  120  ", 120),
        after("surrounding tabs", "\t7\t", 7),
        after("leading zeros", "007", 7),
        after("many leading zeros do not look huge", "000000000000000000000042", 42),
        after("exactly the longest wait", "31536000", 31_536_000),
        at("one second past the longest wait", "31536001", YEAR_LATER),
        at("Long.MAX_VALUE seconds", "9223372036854775807", YEAR_LATER),
        at("more digits than a long holds", "99999999999999999999", YEAR_LATER),
        // HTTP-date, the three forms
        at("IMF-fixdate", "Sun, 06 Nov 1994 08:49:37 GMT", EXAMPLE_DATE),
        at("RFC 850", "Sunday, 06-Nov-94 08:49:37 GMT", EXAMPLE_DATE),
        at("asctime, space-padded day", "Sun Nov  6 08:49:37 1994", EXAMPLE_DATE),
        at(
            "asctime, two-digit day",
            "Wed Nov 16 08:49:37 1994",
            Instant.parse("1994-11-16T08:49:37Z")),
        at("IMF-fixdate with surrounding spaces", "  Sun, 06 Nov 1994 08:49:37 GMT ", EXAMPLE_DATE),
        at("date equal to now", "Sun, 06 Nov 1994 08:49:00 GMT", NOW),
        at("date in the past", "Sat, 05 Nov 1994 08:49:37 GMT", NOW),
        at("date decades ahead", "Fri, 01 Jan 2100 00:00:00 GMT", YEAR_LATER),
        // not a Retry-After value
        rejected("null", null),
        rejected("empty", ""),
        rejected("blank", "   "),
        rejected("negative", "-1"),
        rejected("fractional", "1.5"),
        rejected("explicit plus sign", "+5"),
        rejected("with a unit", "5s"),
        rejected("two numbers", "1 2"),
        rejected("a word", "soon"),
        rejected("non-ASCII digits", "\uff11\uff12"),
        rejected("header injection", "5\r\nX-Injected: yes"),
        rejected("NUL inside", "1\u00002"),
        rejected("trailing newline", "5\n"),
        rejected("very long digits", "9".repeat(10_000)),
        rejected("very long padding", " ".repeat(100) + "5"),
        rejected("UTC instead of GMT", "Sun, 06 Nov 1994 08:49:37 UTC"),
        rejected("numeric offset", "Sun, 06 Nov 1994 08:49:37 +0000"),
        rejected("weekday does not match the date", "Mon, 06 Nov 1994 08:49:37 GMT"),
        rejected("one-digit day in IMF-fixdate", "Sun, 6 Nov 1994 08:49:37 GMT"),
        rejected("lower case", "sun, 06 nov 1994 08:49:37 gmt"),
        rejected("30 February", "Thu, 30 Feb 1995 08:49:37 GMT"),
        rejected("hour 25", "Sun, 06 Nov 1994 25:49:37 GMT"),
        rejected("ISO-8601", "1994-11-06T08:49:37Z"),
        rejected("date without time", "Sun, 06 Nov 1994"),
        rejected("comma only", ","),
        rejected("short weekday in RFC 850", "Sun, 06-Nov-94 08:49:37 GMT"));
  }

  @ParameterizedTest(name = "{0}: [{1}]")
  @MethodSource("headers")
  void shouldParseRetryAfter(String description, String header, Optional<Instant> expected) {
    assertThat(RetryAfter.parse(header, NOW)).isEqualTo(expected);
  }

  /**
   * RFC 850 years have two digits; one more than 50 years ahead means the previous century. The
   * weekday only matches one of the two centuries, so a wrong guess would parse as empty.
   */
  @ParameterizedTest(name = "now 2026: [{0}] -> {1}")
  @CsvSource({
    "'Wednesday, 01-Jan-70 00:00:00 GMT', 2027-11-23T10:00:00Z",
    "'Thursday, 01-Jan-70 00:00:00 GMT', ",
    "'Tuesday, 01-Jan-80 00:00:00 GMT', 2026-11-23T10:00:00Z",
    "'Monday, 01-Jan-80 00:00:00 GMT', ",
    "'Monday, 01-Mar-27 12:00:00 GMT', 2027-03-01T12:00:00Z",
  })
  void shouldPickTheCenturyOfTwoDigitYearsRelativeToNow(String header, String expected) {
    Instant now = Instant.parse("2026-11-23T10:00:00Z");

    assertThat(RetryAfter.parse(header, now))
        .isEqualTo(Optional.ofNullable(expected).map(Instant::parse));
  }

  @Test
  void shouldNeverThrowOnRandomInput() {
    SplittableRandom random = new SplittableRandom(42);
    String alphabet = "0123456789 ,-:.+GMTSunNovMonday\t\r\n\u0000\u00ff\uffff";
    for (int i = 0; i < 20_000; i++) {
      StringBuilder header = new StringBuilder();
      int length = random.nextInt(0, 40);
      for (int j = 0; j < length; j++) {
        header.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      String text = header.toString();
      assertThatCode(() -> RetryAfter.parse(text, NOW)).as(text).doesNotThrowAnyException();
      RetryAfter.parse(text, NOW)
          .ifPresent(retryAt -> assertThat(retryAt).isBetween(NOW, YEAR_LATER));
    }
  }

  @Test
  void shouldSaturateInsteadOfOverflowingNearTheEndOfTime() {
    Instant nearMax = Instant.MAX.minusSeconds(10);

    assertThat(RetryAfter.parse("99999999999999999999", nearMax)).contains(Instant.MAX);
    assertThat(RetryAfter.parse("5", nearMax)).contains(nearMax.plusSeconds(5));
  }
}
