package io.executionpoller.failure;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoField;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads an HTTP {@code Retry-After} header (RFC 9110 section 10.2.3): either delta-seconds or an
 * HTTP-date in any of the three forms a recipient must accept (IMF-fixdate, RFC 850, asctime).
 *
 * <p>The header comes from a remote server, so it is treated as untrusted input: anything that is
 * not exactly one of those forms gives {@link Optional#empty()} (the caller then falls back on its
 * own backoff), and nothing here throws on what the server sent. A server cannot park a caller for
 * longer than {@link #LONGEST_WAIT}, whether it asks in seconds or with a far-off date.
 */
public final class RetryAfter {

  /** The longest wait a server can ask for; longer requests are cut down to this. */
  public static final Duration LONGEST_WAIT = Duration.ofDays(365);

  /**
   * Longer headers are rejected unread. The longest valid form (RFC 850 with "Wednesday") is 37
   * characters; the margin allows for surrounding whitespace.
   */
  private static final int MAX_LENGTH = 64;

  /** More digits than this cannot fit a long, and are far beyond {@link #LONGEST_WAIT} anyway. */
  private static final int MAX_PARSED_DIGITS = 18;

  /** {@code Sun, 06 Nov 1994 08:49:37 GMT} */
  private static final DateTimeFormatter IMF_FIXDATE = strict("EEE, dd MMM uuuu HH:mm:ss 'GMT'");

  /** {@code Sun Nov 6 08:49:37 1994}: the day is space-padded to two characters. */
  private static final DateTimeFormatter ASCTIME = strict("EEE MMM ppd HH:mm:ss uuuu");

  private RetryAfter() {}

  /**
   * The instant the server asked the caller to wait until.
   *
   * @param header the header value as received; may be null
   * @param now the current time: delta-seconds count from it, and a date already past gives it
   * @return when to retry, never before {@code now} nor after {@code now + LONGEST_WAIT}; empty if
   *     the header is absent or is not a valid Retry-After value
   */
  public static Optional<Instant> parse(String header, Instant now) {
    Objects.requireNonNull(now, "now");
    if (header == null || header.length() > MAX_LENGTH) {
      return Optional.empty();
    }
    String value = trimWhitespace(header);
    if (value.isEmpty() || !isPrintableAscii(value)) {
      return Optional.empty();
    }
    if (isAllDigits(value)) {
      return Optional.of(plusCapped(now, deltaSeconds(value)));
    }
    return parseDate(value, now).map(date -> clamp(date, now));
  }

  private static Duration deltaSeconds(String digits) {
    int firstNonZero = 0;
    while (firstNonZero < digits.length() - 1 && digits.charAt(firstNonZero) == '0') {
      firstNonZero++;
    }
    if (digits.length() - firstNonZero > MAX_PARSED_DIGITS) {
      return LONGEST_WAIT;
    }
    Duration asked = Duration.ofSeconds(Long.parseLong(digits, firstNonZero, digits.length(), 10));
    return asked.compareTo(LONGEST_WAIT) > 0 ? LONGEST_WAIT : asked;
  }

  private static Optional<Instant> parseDate(String value, Instant now) {
    // The weekday is the only part the forms do not share a layout for, so it picks the parser:
    // "Sun," (IMF-fixdate), "Sunday," (RFC 850), "Sun " (asctime).
    int comma = value.indexOf(',');
    DateTimeFormatter format;
    if (comma == 3) {
      format = IMF_FIXDATE;
    } else if (comma > 3) {
      format = rfc850(now);
    } else {
      format = ASCTIME;
    }
    try {
      return Optional.of(LocalDateTime.parse(value, format).toInstant(ZoneOffset.UTC));
    } catch (DateTimeException e) {
      return Optional.empty();
    }
  }

  /**
   * {@code Sunday, 06-Nov-94 08:49:37 GMT}. RFC 9110 says to read a two-digit year that would be
   * more than 50 years in the future as the most recent past year ending in those digits, so the
   * century depends on {@code now}: the year lands in {@code [thisYear - 49, thisYear + 50]}.
   */
  private static DateTimeFormatter rfc850(Instant now) {
    int thisYear = yearOf(now);
    return new DateTimeFormatterBuilder()
        .appendPattern("EEEE, dd-MMM-")
        .appendValueReduced(ChronoField.YEAR, 2, 2, thisYear - 49)
        .appendPattern(" HH:mm:ss 'GMT'")
        .toFormatter(Locale.US)
        .withResolverStyle(ResolverStyle.STRICT);
  }

  private static int yearOf(Instant now) {
    try {
      return now.atOffset(ZoneOffset.UTC).getYear();
    } catch (DateTimeException e) {
      // Only for instants outside LocalDateTime's range; any year will do there.
      return 2000;
    }
  }

  /**
   * Strict resolving rejects impossible dates (30 Feb) and a weekday that does not match the date:
   * such a header is corrupt, and guessing which half of it is right helps no one.
   */
  private static DateTimeFormatter strict(String pattern) {
    return DateTimeFormatter.ofPattern(pattern, Locale.US).withResolverStyle(ResolverStyle.STRICT);
  }

  private static Instant clamp(Instant date, Instant now) {
    if (!date.isAfter(now)) {
      return now;
    }
    Instant latest = plusCapped(now, LONGEST_WAIT);
    return date.isAfter(latest) ? latest : date;
  }

  private static Instant plusCapped(Instant now, Duration wait) {
    try {
      return now.plus(wait);
    } catch (DateTimeException | ArithmeticException e) {
      return Instant.MAX;
    }
  }

  /** Only spaces and horizontal tabs: that is all HTTP calls optional whitespace. */
  private static String trimWhitespace(String value) {
    int start = 0;
    int end = value.length();
    while (start < end && isOws(value.charAt(start))) {
      start++;
    }
    while (end > start && isOws(value.charAt(end - 1))) {
      end--;
    }
    return value.substring(start, end);
  }

  private static boolean isOws(char c) {
    return c == ' ' || c == '\t';
  }

  private static boolean isPrintableAscii(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        return false;
      }
    }
    return true;
  }

  /** ASCII digits only: {@link Character#isDigit} would also accept other scripts' digits. */
  private static boolean isAllDigits(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }
}
