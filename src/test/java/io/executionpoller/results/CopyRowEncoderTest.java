package io.executionpoller.results;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CopyRowEncoderTest {

  private static final String ID = "11111111-2222-3333-4444-555555555555";

  static Stream<Arguments> rows() {
    return Stream.of(
        Arguments.of(new String[] {"a", "b"}, "{\"a\",\"b\"}"),
        Arguments.of(new String[] {""}, "{\"\"}"),
        Arguments.of(new String[] {null, "x"}, "{NULL,\"x\"}"),
        Arguments.of(new String[] {"NULL"}, "{\"NULL\"}"),
        Arguments.of(new String[] {"say \"hi\""}, "{\"say \\\\\"hi\\\\\"\"}"),
        Arguments.of(new String[] {"back\\slash"}, "{\"back\\\\\\\\slash\"}"),
        Arguments.of(new String[] {"line\nbreak"}, "{\"line\\nbreak\"}"),
        Arguments.of(new String[] {"cr\r\nlf"}, "{\"cr\\r\\nlf\"}"),
        Arguments.of(new String[] {"tab\there"}, "{\"tab\\there\"}"),
        Arguments.of(new String[] {"a,b", "{c}"}, "{\"a,b\",\"{c}\"}"),
        Arguments.of(new String[] {"nul\u0000x"}, "{\"nul\uFFFDx\"}"),
        Arguments.of(new String[] {"héllo", "日本", "😀"}, "{\"héllo\",\"日本\",\"😀\"}"),
        Arguments.of(new String[] {"lone\uD800"}, "{\"lone\uFFFD\"}"),
        Arguments.of(new String[] {}, "{}"));
  }

  @ParameterizedTest
  @MethodSource("rows")
  void encodes_one_copy_line_per_row(String[] fields, String expectedArray) {
    CopyRowEncoder encoder = new CopyRowEncoder(ID, 16);
    encoder.append(42, fields);
    String line = new String(encoder.buffer(), 0, encoder.length(), StandardCharsets.UTF_8);
    assertEquals(ID + "\t42\t" + expectedArray + "\n", line);
  }

  @ParameterizedTest
  @MethodSource("rows")
  void appends_rows_one_after_another_and_clears(String[] fields, String expectedArray) {
    CopyRowEncoder encoder = new CopyRowEncoder(ID, 8);
    encoder.append(1, fields);
    encoder.append(2, fields);
    String lines = new String(encoder.buffer(), 0, encoder.length(), StandardCharsets.UTF_8);
    assertEquals(ID + "\t1\t" + expectedArray + "\n" + ID + "\t2\t" + expectedArray + "\n", lines);
    encoder.clear();
    assertEquals(0, encoder.length());
  }
}
