package io.executionpoller.results.parse;

import static io.executionpoller.results.parse.TestStreams.bytes;
import static io.executionpoller.results.parse.TestStreams.chunked;
import static io.executionpoller.results.parse.TestStreams.concat;
import static io.executionpoller.results.parse.TestStreams.lines;
import static io.executionpoller.results.parse.TestStreams.readAll;
import static io.executionpoller.results.parse.TestStreams.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.executionpoller.results.parse.TestStreams.Parsed;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JsonRecordReaderTest {

  private static final String FILE = "part-00002.json";
  private static final int[] CHUNKS = {Integer.MAX_VALUE, 1};

  private static Parsed parse(InputStream in, int maxRecordChars) throws IOException {
    return readAll(new JsonRecordReader(in, FILE, maxRecordChars));
  }

  /** Rows in test shorthand: fields separated by '^', the word NULL for a JSON null. */
  private static List<List<String>> rows(String... rows) {
    List<List<String>> out = new ArrayList<>();
    for (String row : rows) {
      List<String> values = new ArrayList<>();
      for (String v : row.split("\\^", -1)) {
        values.add(v.equals("NULL") ? null : v);
      }
      out.add(values);
    }
    return out;
  }

  private static List<Long> lines(long... lines) {
    List<Long> out = new ArrayList<>();
    for (long line : lines) {
      out.add(line);
    }
    return out;
  }

  static Stream<Arguments> wellFormed() {
    return Stream.of(
        arguments(
            "array",
            "[{\"a\":1,\"b\":\"x\"},{\"a\":2,\"b\":\"y\"}]",
            List.of("a", "b"),
            rows("1^x", "2^y"),
            lines(1, 1)),
        arguments(
            "array over lines",
            "[\n  {\"a\": 1},\n  {\"a\": 2}\n]\n",
            List.of("a"),
            rows("1", "2"),
            lines(2, 3)),
        arguments("NDJSON", "{\"a\":1}\n{\"a\":2}\n", List.of("a"), rows("1", "2"), lines(1, 2)),
        arguments(
            "NDJSON with CRLF and blank lines",
            "{\"a\":1}\r\n\r\n{\"a\":2}\r\n",
            List.of("a"),
            rows("1", "2"),
            lines(1, 3)),
        arguments(
            "concatenated objects",
            "{\"a\":1}{\"a\":2} {\"a\":3}",
            List.of("a"),
            rows("1", "2", "3"),
            lines(1, 1, 1)),
        arguments(
            "pretty-printed NDJSON",
            "{\n \"a\": 1\n}\n{\n \"a\": 2\n}\n",
            List.of("a"),
            rows("1", "2"),
            lines(1, 4)),
        arguments(
            "columns keep first-object order",
            "[{\"z\":1,\"a\":2,\"m\":3}]",
            List.of("z", "a", "m"),
            rows("1^2^3"),
            lines(1)),
        arguments(
            "omitted keys are null",
            "[{\"a\":1,\"b\":2},{\"b\":3},{}]",
            List.of("a", "b"),
            rows("1^2", "NULL^3", "NULL^NULL"),
            lines(1, 1, 1)),
        arguments(
            "reordered keys",
            "{\"a\":1,\"b\":2}\n{\"b\":3,\"a\":4}",
            List.of("a", "b"),
            rows("1^2", "4^3"),
            lines(1, 2)),
        arguments(
            "scalars keep their text",
            "[{\"s\":\"x y\",\"i\":-12,\"f\":1.50,\"e\":1E+400,\"big\":123456789012345678901234567890,"
                + "\"t\":true,\"no\":false,\"n\":null,\"empty\":\"\"}]",
            List.of("s", "i", "f", "e", "big", "t", "no", "n", "empty"),
            rows("x y^-12^1.50^1E+400^123456789012345678901234567890^true^false^NULL^"),
            lines(1)),
        arguments(
            "nested values become compact JSON",
            "[{\"o\": {\"x\": [1, 2.0, \"s\", null, true, {}]}, \"a\": [ ], \"d\": [[1e5]]}]",
            List.of("o", "a", "d"),
            rows("{\"x\":[1,2.0,\"s\",null,true,{}]}^[]^[[1e5]]"),
            lines(1)),
        arguments(
            "nested strings are re-escaped",
            "[{\"o\":{\"q\":\"a\\\"b\\n\\u0001\"}}]",
            List.of("o"),
            rows("{\"q\":\"a\\\"b\\n\\u0001\"}"),
            lines(1)),
        arguments(
            "string escapes are decoded",
            "{\"k\":\"tab\\tquote\\\"emoji\\ud83d\\ude00\"}",
            List.of("k"),
            rows("tab\tquote\"emoji😀"),
            lines(1)),
        arguments("unicode", "{\"名前\":\"José 😀\"}", List.of("名前"), rows("José 😀"), lines(1)),
        arguments("BOM", "\uFEFF[{\"a\":1}]", List.of("a"), rows("1"), lines(1)),
        arguments("empty array", "[]", List.of(), rows(), lines()),
        arguments("empty array with whitespace", " [ \n ] \n", List.of(), rows(), lines()),
        arguments("empty file", "", List.of(), rows(), lines()),
        arguments("whitespace only", " \r\n\t", List.of(), rows(), lines()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("wellFormed")
  void shouldReadWellFormedJson(
      String name, String content, List<String> columns, List<List<String>> rows, List<Long> lines)
      throws IOException {
    for (int chunk : CHUNKS) {
      Parsed parsed = parse(chunked(utf8(content), chunk), 1 << 20);
      assertThat(parsed.columns()).as("columns, chunk %d", chunk).isEqualTo(columns);
      assertThat(parsed.rows()).as("rows, chunk %d", chunk).isEqualTo(rows);
      assertThat(parsed.lines()).as("lines, chunk %d", chunk).isEqualTo(lines);
    }
  }

  static Stream<Arguments> malformed() {
    int max = 1 << 20;
    return Stream.of(
        arguments(
            "key not in the first object",
            max,
            utf8("{\"a\":1}\n{\"a\":2,\"x\":3}\n"),
            2,
            "key \"x\" not among the columns of the first object"),
        arguments(
            "key not in the first array element",
            max,
            utf8("[\n{\"a\":1},\n{\"b\":1}\n]"),
            3,
            "key \"b\" not among the columns of the first object"),
        arguments(
            "duplicate key in the first object",
            max,
            utf8("{\"a\":1,\"a\":2}"),
            1,
            "duplicate key \"a\""),
        arguments(
            "duplicate key later",
            max,
            utf8("{\"a\":1}\n{\"a\":1,\"a\":2}"),
            2,
            "duplicate key \"a\""),
        arguments(
            "number element",
            max,
            utf8("[{\"a\":1},\n5]"),
            2,
            "array element is not an object: found a number"),
        arguments(
            "first element not an object",
            max,
            utf8("[[1]]"),
            1,
            "array element is not an object: found an array"),
        arguments(
            "array after NDJSON objects",
            max,
            utf8("{\"a\":1}\n[1]"),
            2,
            "expected an object, found an array"),
        arguments(
            "string after NDJSON objects",
            max,
            utf8("{\"a\":1}\n\"x\""),
            2,
            "expected an object, found a string"),
        arguments(
            "top-level number",
            max,
            utf8("42"),
            1,
            "expected a JSON array or object, found a number"),
        arguments(
            "top-level null",
            max,
            utf8("\n null"),
            2,
            "expected a JSON array or object, found null"),
        arguments("missing value", max, utf8("{\"a\":1}\n{\"a\":}\n"), 2, "invalid JSON"),
        arguments("unterminated array", max, utf8("[{\"a\":1},\n"), 2, "invalid JSON"),
        arguments("unterminated object", max, utf8("{\"a\":1"), 1, "invalid JSON"),
        arguments("unterminated string", max, utf8("{\"a\":\"x"), 1, "invalid JSON"),
        arguments("trailing comma", max, utf8("[{\"a\":1},]"), 1, "invalid JSON"),
        arguments("NaN", max, utf8("{\"a\":NaN}"), 1, "invalid JSON"),
        arguments("comment", max, utf8("{\"a\":1}\n// x\n"), 2, "invalid JSON"),
        arguments("single quotes", max, utf8("{'a':1}"), 1, "invalid JSON"),
        arguments(
            "invalid UTF-8",
            max,
            concat(utf8("{\"a\":1}\n{\"a\":\""), bytes(0xff), utf8("\"}")),
            2,
            "invalid JSON"),
        arguments(
            "garbage after the array",
            max,
            utf8("[{\"a\":1}]\nx"),
            2,
            "content after the closing ]"),
        arguments(
            "object after the array",
            max,
            utf8("[{\"a\":1}]\n\n{\"a\":2}"),
            3,
            "content after the closing ]"),
        arguments("second array", max, utf8("[{\"a\":1}][]"), 1, "content after the closing ]"),
        arguments(
            "garbage after an empty array", max, utf8("[] ,"), 1, "content after the closing ]"),
        arguments(
            "record too long",
            10,
            utf8("{\"a\":\"x\",\"b\":\"y\"}\n{\"a\":\"123456\",\"b\":\"123456\"}"),
            2,
            "record longer than 10 characters"),
        arguments(
            "nested value too long",
            10,
            utf8("{\"a\":1}\n{\"a\":[1,2,3,4,5,6,7,8,9]}"),
            2,
            "record longer than 10 characters"),
        arguments(
            "single string too long",
            10,
            utf8("{\"a\":\"12345678901234567890\"}"),
            1,
            "invalid JSON: String value length"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  void shouldRejectMalformedJson(
      String name, int maxRecordChars, byte[] content, long line, String message) {
    for (int chunk : CHUNKS) {
      assertThatThrownBy(() -> parse(chunked(content, chunk), maxRecordChars))
          .as("chunk %d", chunk)
          .isInstanceOfSatisfying(
              MalformedResultException.class,
              e -> {
                assertThat(e.fileName()).isEqualTo(FILE);
                assertThat(e.line()).isEqualTo(line);
              })
          .hasMessageStartingWith(FILE + " line " + line + ": ")
          .hasMessageContaining(message);
    }
  }

  @Test
  void shouldCountKeysAndNullsAgainstTheRecordBudget() {
    // Keys and nulls hold no value text, yet each costs memory and a stored field.
    StringBuilder manyKeys = new StringBuilder("{");
    for (int i = 0; i < 1_000_000; i++) {
      manyKeys.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":null");
    }
    manyKeys.append('}');
    assertThatThrownBy(() -> parse(chunked(utf8(manyKeys.toString()), 8192), 1 << 20))
        .isInstanceOf(MalformedResultException.class)
        .hasMessageContaining("record longer than 1048576 characters");

    byte[] nulls = utf8("{\"a\":null,\"b\":null,\"c\":null}");
    assertThatThrownBy(() -> parse(chunked(nulls, 1), 10))
        .isInstanceOf(MalformedResultException.class)
        .hasMessageContaining("record longer than 10 characters");
  }

  @Test
  void shouldServeTheRecordsBeforeAMalformedOne() throws IOException {
    try (JsonRecordReader reader =
        new JsonRecordReader(chunked(utf8("[{\"a\":1},{\"a\":2},{\"b\":3}]"), 7), FILE)) {
      assertThat(reader.next()).containsExactly("1");
      assertThat(reader.next()).containsExactly("2");
      assertThatThrownBy(reader::next).isInstanceOf(MalformedResultException.class);
    }
  }

  @Test
  void shouldStreamManyRecords() throws IOException {
    StringBuilder json = new StringBuilder("[");
    int count = 20_000;
    for (int i = 0; i < count; i++) {
      json.append(i == 0 ? "" : ",").append("\n{\"id\":").append(i).append(",\"v\":\"r").append(i);
      json.append("\"}");
    }
    json.append("\n]");

    Parsed parsed = parse(chunked(utf8(json.toString()), 1000), 1 << 20);

    assertThat(parsed.rows()).hasSize(count);
    assertThat(parsed.rows().get(count - 1)).containsExactly(String.valueOf(count - 1), "r19999");
    assertThat(parsed.lines().get(count - 1)).isEqualTo(count + 1L);
  }
}
