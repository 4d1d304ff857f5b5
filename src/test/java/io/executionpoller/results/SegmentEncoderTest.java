package io.executionpoller.results;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Decodes what the encoder writes with an independent reader of the binary COPY tuple format. */
class SegmentEncoderTest {

  private static final UUID ID = UUID.fromString("11111111-2222-3333-4444-555555555555");

  /** One decoded tuple of result_segments. */
  record Segment(
      UUID executionId,
      int fileIndex,
      int segment,
      long firstRow,
      int rowCount,
      boolean hasNull,
      List<String> fields,
      byte[] data) {}

  static Stream<Arguments> fields() {
    return Stream.of(
        Arguments.of(new String[] {"a", "b"}, List.of("a", "b")),
        Arguments.of(new String[] {""}, List.of("")),
        Arguments.of(new String[] {null, "x"}, Arrays.asList(null, "x")),
        Arguments.of(
            new String[] {"NULL", "{}", "\"q\"", "back\\slash"},
            List.of("NULL", "{}", "\"q\"", "back\\slash")),
        Arguments.of(new String[] {"line\nbreak\r\ttab"}, List.of("line\nbreak\r\ttab")),
        Arguments.of(new String[] {"nul\u0000x"}, List.of("nul\uFFFDx")),
        Arguments.of(new String[] {"héllo", "日本", "😀"}, List.of("héllo", "日本", "😀")),
        Arguments.of(new String[] {"lone\uD800"}, List.of("lone\uFFFD")));
  }

  @ParameterizedTest
  @MethodSource("fields")
  void shouldEncodeFieldsAsATextArrayElementByElement(String[] row, List<String> expected) {
    SegmentEncoder encoder = new SegmentEncoder(ID);
    encoder.startFile(2, 7);
    encoder.row(row);
    encoder.closeSegment();

    Segment segment = decode(encoder).get(0);

    assertThat(segment.executionId()).isEqualTo(ID);
    assertThat(segment.fileIndex()).isEqualTo(2);
    assertThat(segment.segment()).isZero();
    assertThat(segment.firstRow()).isEqualTo(7);
    assertThat(segment.rowCount()).isEqualTo(1);
    assertThat(segment.fields()).containsExactlyElementsOf(expected);
    assertThat(segment.hasNull()).isEqualTo(expected.stream().anyMatch(Objects::isNull));
    assertThat(segment.data()).isEmpty();
  }

  @Test
  void shouldCloseASegmentAtTheRowLimitAndNumberSegmentsAndRows() {
    SegmentEncoder encoder = new SegmentEncoder(ID);
    encoder.startFile(0, 1);
    for (long row = 1; row <= 2500; row++) {
      encoder.row(new String[] {Long.toString(row), "x"});
    }
    encoder.closeSegment();

    List<Segment> segments = decode(encoder);

    assertThat(segments).extracting(Segment::segment).containsExactly(0, 1, 2);
    assertThat(segments).extracting(Segment::firstRow).containsExactly(1L, 1001L, 2001L);
    assertThat(segments).extracting(Segment::rowCount).containsExactly(1000, 1000, 500);
    assertThat(segments.get(1).fields().subList(0, 4)).containsExactly("1001", "x", "1002", "x");
    assertThat(encoder.segments()).isEqualTo(3);
  }

  @Test
  void shouldCarryOriginalBytesInOrderClosingSegmentsWhenTheyAreFull() {
    SegmentEncoder encoder = new SegmentEncoder(ID);
    encoder.startFile(0, 1);
    byte[] header = "a,b\n".getBytes(StandardCharsets.US_ASCII);
    encoder.data(header, 0, header.length);
    encoder.row(new String[] {"1", "2"});
    byte[] big = new byte[SegmentEncoder.MAX_DATA_BYTES + 10];
    Arrays.fill(big, (byte) 'z');
    encoder.data(big, 0, big.length);
    encoder.row(new String[] {"3", "4"});
    encoder.closeSegment();

    List<Segment> segments = decode(encoder);

    assertThat(segments).hasSize(2);
    assertThat(segments.get(0).data()).hasSize(SegmentEncoder.MAX_DATA_BYTES);
    assertThat(segments.get(0).rowCount()).isEqualTo(1);
    assertThat(segments.get(1).data()).hasSize(header.length + 10);
    assertThat(segments.get(1).firstRow()).isEqualTo(2);
    assertThat(segments.get(1).fields()).containsExactly("3", "4");
    byte[] joined = new byte[header.length + big.length];
    System.arraycopy(segments.get(0).data(), 0, joined, 0, segments.get(0).data().length);
    System.arraycopy(
        segments.get(1).data(), 0, joined, segments.get(0).data().length, header.length + 10);
    assertThat(Arrays.copyOf(joined, header.length)).isEqualTo(header);
  }

  @Test
  void shouldCloseASegmentEarlyWhenItsFieldsReachTheByteLimit() {
    SegmentEncoder encoder = new SegmentEncoder(ID);
    encoder.startFile(0, 1);
    encoder.row(new String[] {"w".repeat(SegmentEncoder.MAX_FIELD_BYTES)});
    encoder.row(new String[] {"c"});
    encoder.closeSegment();

    assertThat(decode(encoder)).extracting(Segment::rowCount).containsExactly(1, 1);
  }

  @Test
  void shouldNameTheNextRowInASegmentWithoutRowsAndWriteNothingEmpty() {
    SegmentEncoder encoder = new SegmentEncoder(ID);
    encoder.startFile(1, 41);
    encoder.closeSegment();
    byte[] tail = "\n".getBytes(StandardCharsets.US_ASCII);
    encoder.data(tail, 0, 1);
    encoder.closeSegment();

    assertThat(decode(encoder))
        .singleElement()
        .satisfies(
            segment -> {
              assertThat(segment.rowCount()).isZero();
              assertThat(segment.firstRow()).isEqualTo(41);
              assertThat(segment.fields()).isEmpty();
            });
  }

  @Test
  void shouldForgetWhatWasNotWrittenWhenAFileIsStartedAgain() {
    SegmentEncoder encoder = new SegmentEncoder(ID);
    encoder.startFile(0, 1);
    encoder.row(new String[] {"a"});
    encoder.closeSegment();
    encoder.row(new String[] {"b"});
    encoder.startFile(0, 1);
    encoder.row(new String[] {"again"});
    encoder.closeSegment();

    assertThat(decode(encoder))
        .singleElement()
        .extracting(Segment::fields)
        .isEqualTo(List.of("again"));
  }

  @Test
  void shouldWriteAHeaderAndTrailerThatFollowTheBinaryCopyFormat() {
    byte[] header = SegmentEncoder.header();
    assertThat(new String(header, 0, 6, StandardCharsets.US_ASCII)).isEqualTo("PGCOPY");
    assertThat(Arrays.copyOfRange(header, 6, 11)).containsExactly('\n', 0xFF, '\r', '\n', 0);
    assertThat(Arrays.copyOfRange(header, 11, 19)).containsOnly(0);
    assertThat(SegmentEncoder.trailer()).containsExactly(0xFF, 0xFF);
  }

  private static List<Segment> decode(SegmentEncoder encoder) {
    ByteBuffer in = ByteBuffer.wrap(encoder.buffer(), 0, encoder.length());
    List<Segment> segments = new ArrayList<>();
    while (in.hasRemaining()) {
      assertThat(in.getShort()).isEqualTo((short) 7);
      assertThat(in.getInt()).isEqualTo(16);
      UUID id = new UUID(in.getLong(), in.getLong());
      assertThat(in.getInt()).isEqualTo(4);
      int fileIndex = in.getInt();
      assertThat(in.getInt()).isEqualTo(4);
      int segment = in.getInt();
      assertThat(in.getInt()).isEqualTo(8);
      long firstRow = in.getLong();
      assertThat(in.getInt()).isEqualTo(4);
      int rowCount = in.getInt();
      int arrayLength = in.getInt();
      int arrayStart = in.position();
      assertThat(in.getInt()).as("dimensions").isEqualTo(1);
      boolean hasNull = in.getInt() == 1;
      assertThat(in.getInt()).as("element type text").isEqualTo(25);
      int elements = in.getInt();
      assertThat(in.getInt()).as("lower bound").isEqualTo(1);
      List<String> fields = new ArrayList<>();
      for (int e = 0; e < elements; e++) {
        int length = in.getInt();
        if (length < 0) {
          fields.add(null);
        } else {
          byte[] bytes = new byte[length];
          in.get(bytes);
          fields.add(new String(bytes, StandardCharsets.UTF_8));
        }
      }
      assertThat(in.position() - arrayStart).isEqualTo(arrayLength);
      byte[] data = new byte[in.getInt()];
      in.get(data);
      segments.add(new Segment(id, fileIndex, segment, firstRow, rowCount, hasNull, fields, data));
    }
    return segments;
  }
}
