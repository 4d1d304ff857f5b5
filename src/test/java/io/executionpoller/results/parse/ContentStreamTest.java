package io.executionpoller.results.parse;

import static io.executionpoller.results.parse.TestStreams.chunked;
import static io.executionpoller.results.parse.TestStreams.concat;
import static io.executionpoller.results.parse.TestStreams.gzip;
import static io.executionpoller.results.parse.TestStreams.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.executionpoller.results.parse.ContentStream.ByteTap;
import io.executionpoller.results.parse.ContentStream.Limits;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class ContentStreamTest {

  private static final String FILE = "part-00003.csv.gz";
  private static final Limits ROOMY = new Limits(1L << 30, 1L << 30, 100, 1L << 20);
  private static final ByteTap NO_TAP = (buf, off, len) -> {};

  private static final byte[] TEXT = utf8("a,b\n1,2\nJosé,😀\n");
  private static final byte[] LARGE = randomText(300_000, 7);

  private static byte[] randomText(int size, long seed) {
    Random random = new Random(seed);
    byte[] out = new byte[size];
    for (int i = 0; i < size; i++) {
      out[i] = (byte) ("abc,\n0123456789".charAt(random.nextInt(15)));
    }
    return out;
  }

  private static String sha256(byte[] content) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
  }

  static Stream<Arguments> contents() {
    byte[] a = utf8("first member\n");
    byte[] b = utf8("second member\n");
    return Stream.of(
        arguments("plain", TEXT, false, TEXT, false),
        arguments("plain large", LARGE, false, LARGE, false),
        arguments("gzip declared", gzip(TEXT), true, TEXT, true),
        arguments("gzip by magic", gzip(TEXT), false, TEXT, true),
        arguments("large gzip", gzip(LARGE), false, LARGE, true),
        arguments("concatenated members", concat(gzip(a), gzip(b)), false, concat(a, b), true),
        arguments(
            "concatenated with an empty member",
            concat(gzip(a), gzip(new byte[0]), gzip(LARGE)),
            true,
            concat(a, LARGE),
            true),
        arguments("gzip of nothing", gzip(new byte[0]), false, new byte[0], true),
        arguments("empty", new byte[0], false, new byte[0], false),
        arguments("empty though declared gzip", new byte[0], true, new byte[0], false),
        arguments("one byte", new byte[] {0x1f}, false, new byte[] {0x1f}, false),
        arguments("magic prefix only partly", utf8("\u001fx"), false, utf8("\u001fx"), false),
        arguments(
            "gzip header with name, comment, extra and header CRC",
            gzipWithAllHeaderFields(TEXT),
            false,
            TEXT,
            true));
  }

  /** A member built by hand with every optional header field, which GZIPOutputStream never sets. */
  private static byte[] gzipWithAllHeaderFields(byte[] content) {
    byte[] standard = gzip(content);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0x1f);
    out.write(0x8b);
    out.write(8);
    out.write(2 | 4 | 8 | 16); // FHCRC | FEXTRA | FNAME | FCOMMENT
    out.writeBytes(new byte[6]);
    out.write(3);
    out.write(0);
    out.writeBytes(utf8("xyz"));
    out.writeBytes(utf8("name.csv\0"));
    out.writeBytes(utf8("a comment\0"));
    out.writeBytes(new byte[2]); // header CRC, not checked
    out.write(standard, 10, standard.length - 10);
    return out.toByteArray();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("contents")
  void shouldDecodeCountAndHash(
      String name, byte[] raw, boolean declaredGzip, byte[] content, boolean gzipped)
      throws Exception {
    for (int chunk : new int[] {Integer.MAX_VALUE, 1, 5}) {
      ByteArrayOutputStream tapped = new ByteArrayOutputStream();
      ByteArrayOutputStream read = new ByteArrayOutputStream();
      try (ContentStream in =
          ContentStream.open(chunked(raw, chunk), declaredGzip, ROOMY, tapped::write, FILE)) {
        byte[] buf = new byte[8192];
        for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
          read.write(buf, 0, n);
        }
        assertThat(read.toByteArray()).as("content, chunk %d", chunk).isEqualTo(content);
        assertThat(tapped.toByteArray()).as("tapped, chunk %d", chunk).isEqualTo(content);
        assertThat(in.contentBytes()).isEqualTo(content.length);
        assertThat(in.rawBytes()).isEqualTo(raw.length);
        assertThat(in.gzipped()).isEqualTo(gzipped);
        assertThat(in.sha256Hex()).isEqualTo(sha256(content));
        assertThat(in.read()).as("stays at the end").isEqualTo(-1);
      }
    }
  }

  /** Single-byte reads, bulk reads, skips and readAllBytes all go through the one counted path. */
  @Test
  void shouldTapExactlyWhatTheConsumerReads() throws Exception {
    byte[] content = LARGE;
    ByteArrayOutputStream tapped = new ByteArrayOutputStream();
    ByteArrayOutputStream read = new ByteArrayOutputStream();
    try (ContentStream in =
        ContentStream.open(chunked(gzip(content), 777), false, ROOMY, tapped::write, FILE)) {
      read.write(in.read());
      read.writeBytes(in.readNBytes(1000));
      int skipped = (int) in.skip(5000);
      read.write(content, read.size(), skipped);
      read.write(in.read());
      read.writeBytes(in.readAllBytes());
      assertThat(skipped).isPositive();
      assertThat(read.toByteArray()).isEqualTo(content);
      assertThat(tapped.toByteArray()).isEqualTo(content);
      assertThat(in.sha256Hex()).isEqualTo(sha256(content));
    }
  }

  @Test
  void shouldNotProvideTheHashBeforeTheEnd() throws IOException {
    try (ContentStream in = ContentStream.open(chunked(TEXT, 100), false, ROOMY, NO_TAP, FILE)) {
      in.readNBytes(TEXT.length);
      assertThatThrownBy(in::sha256Hex)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining(FILE);
    }
  }

  static Stream<Arguments> corrupt() {
    byte[] good = gzip(LARGE);
    byte[] flippedData = good.clone();
    flippedData[good.length / 2] ^= 0x55;
    byte[] badCrc = good.clone();
    badCrc[good.length - 8] ^= 1;
    byte[] badSize = good.clone();
    badSize[good.length - 1] ^= 1;
    byte[] badMethod = good.clone();
    badMethod[2] = 7;
    byte[] reservedFlag = good.clone();
    reservedFlag[3] = (byte) 0x80;
    return Stream.of(
        arguments("declared but plain", TEXT, true, "not in gzip format"),
        arguments(
            "truncated data",
            Arrays.copyOf(good, good.length / 2),
            false,
            "unexpected end of data"),
        arguments(
            "truncated trailer",
            Arrays.copyOf(good, good.length - 3),
            false,
            "unexpected end of data"),
        arguments("truncated header", Arrays.copyOf(good, 5), false, "unexpected end of data"),
        arguments("flipped byte", flippedData, false, "gzip data is corrupt"),
        arguments("CRC mismatch", badCrc, false, "CRC-32 mismatch in member 1"),
        arguments("length mismatch", badSize, false, "length mismatch in member 1"),
        arguments("unknown method", badMethod, false, "unsupported compression method 7"),
        arguments("reserved flag", reservedFlag, false, "reserved header flags set"),
        arguments(
            "trailing garbage",
            concat(good, utf8("junk")),
            false,
            "unexpected data after gzip member 1"),
        arguments(
            "trailing zero padding",
            concat(good, new byte[8]),
            false,
            "unexpected data after gzip member 1"),
        arguments(
            "corrupt second member",
            concat(gzip(TEXT), Arrays.copyOf(good, 40)),
            false,
            "unexpected end of data inside member 2"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corrupt")
  void shouldReportCorruptGzipAsMalformed(
      String name, byte[] raw, boolean declaredGzip, String message) {
    assertThatThrownBy(
            () -> {
              try (ContentStream in =
                  ContentStream.open(chunked(raw, 1000), declaredGzip, ROOMY, NO_TAP, FILE)) {
                in.readAllBytes();
              }
            })
        .isInstanceOfSatisfying(
            MalformedResultException.class,
            e -> {
              assertThat(e.line()).isZero();
              assertThat(e.fileName()).isEqualTo(FILE);
            })
        .hasMessageStartingWith(FILE + ": gzip data is corrupt: ")
        .hasMessageContaining(message);
  }

  /**
   * A dropped connection is a transport failure to retry, never "corrupt gzip", wherever it hits.
   */
  @ParameterizedTest
  @CsvSource({"5", "40", "-8", "-1", "0"})
  void shouldPropagateTransportFailuresUnchanged(int cut) {
    byte[] raw = concat(gzip(TEXT), gzip(LARGE));
    // Positive: bytes from the start; negative: bytes short of the end; 0: the first member only.
    int keep = cut > 0 ? cut : cut < 0 ? raw.length + cut : gzip(TEXT).length;
    IOException failure = new IOException("connection reset");
    assertThatThrownBy(
            () -> {
              try (ContentStream in =
                  ContentStream.open(
                      TestStreams.failingAfter(Arrays.copyOf(raw, keep), failure),
                      false,
                      ROOMY,
                      NO_TAP,
                      FILE)) {
                in.readAllBytes();
              }
            })
        .isSameAs(failure);
  }

  static Stream<Arguments> limits() {
    byte[] hundred = randomText(100, 3);
    byte[] zeros = new byte[10 << 20];
    byte[] bomb = gzip(zeros); // about 10 KB, a ratio near 1000:1
    return Stream.of(
        arguments("content at the limit", hundred, new Limits(100, 1000, 100, 0), null, 0),
        arguments(
            "content over the limit",
            concat(hundred, new byte[1]),
            new Limits(100, 1000, 100, 0),
            "content exceeds the limit of 100 bytes (maxContentBytes)",
            100),
        arguments(
            "gzip content over the limit",
            gzip(LARGE),
            new Limits(200_000, 1L << 30, 100, 0),
            "content exceeds the limit of 200000 bytes (maxContentBytes)",
            200_000),
        arguments("raw at the limit", hundred, new Limits(1000, 100, 100, 0), null, 0),
        arguments(
            "raw over the limit",
            concat(hundred, new byte[1]),
            new Limits(1000, 100, 100, 0),
            "transfer exceeds the limit of 100 raw bytes (maxRawBytes)",
            100),
        arguments(
            "gzip raw over the limit",
            gzip(LARGE),
            new Limits(1L << 30, 1000, 1_000_000, 0),
            "transfer exceeds the limit of 1000 raw bytes (maxRawBytes)",
            1000),
        arguments(
            "bomb",
            bomb,
            new Limits(1L << 30, 1L << 30, 100, 1 << 20),
            "gzip data expanded beyond 100x",
            100),
        arguments(
            "bomb under the grace size",
            bomb,
            new Limits(1L << 30, 1L << 30, 100, 20 << 20),
            null,
            0),
        arguments(
            "high but allowed ratio", bomb, new Limits(1L << 30, 1L << 30, 5000, 1 << 20), null, 0),
        arguments(
            "ratio not applied to plain content",
            zeros,
            new Limits(1L << 30, 1L << 30, 1, 0),
            null,
            0));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("limits")
  void shouldEnforceLimits(String name, byte[] raw, Limits limits, String message, long limit)
      throws IOException {
    ByteArrayOutputStream tapped = new ByteArrayOutputStream();
    ContentStream in = ContentStream.open(chunked(raw, 4096), false, limits, tapped::write, FILE);
    try (in) {
      if (message == null) {
        in.readAllBytes();
        assertThat(in.sha256Hex()).isNotEmpty();
        return;
      }
      assertThatThrownBy(in::readAllBytes)
          .isInstanceOfSatisfying(
              ResultTooLargeException.class, e -> assertThat(e.limit()).isEqualTo(limit))
          .hasMessageStartingWith(FILE + ": ")
          .hasMessageContaining(message);
    }
    // Nothing past a size limit reaches the consumer's tap.
    assertThat((long) tapped.size()).isLessThanOrEqualTo(limits.maxContentBytes());
  }

  @ParameterizedTest
  @CsvSource({"0, 1, 1, 0", "1, 0, 1, 0", "1, 1, 0, 0", "1, 1, 1, -1"})
  void shouldRejectNonsensicalLimits(long content, long raw, int ratio, long grace) {
    assertThatThrownBy(() -> new Limits(content, raw, ratio, grace))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldCloseTheTransportStream() throws IOException {
    boolean[] closed = {false};
    InputStream raw =
        new java.io.ByteArrayInputStream(gzip(TEXT)) {
          @Override
          public void close() {
            closed[0] = true;
          }
        };
    ContentStream.open(raw, false, ROOMY, NO_TAP, FILE).close();
    assertThat(closed[0]).isTrue();
  }
}
