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
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class CsvRecordReaderTest {

  private static final String FILE = "part-00001.csv";
  private static final CsvFormat SEMICOLON = new CsvFormat(';', '"');
  private static final CsvFormat TAB = new CsvFormat('\t', '"');
  private static final CsvFormat APOSTROPHE = new CsvFormat(',', '\'');

  /**
   * Every case is read whole, one byte per read (which puts a block boundary between every pair of
   * chars and inside every multi-byte char) and in 3-byte reads; all must agree.
   */
  private static final int[] CHUNKS = {Integer.MAX_VALUE, 1, 3};

  private static Parsed parse(InputStream in, CsvFormat format, int maxRecordChars)
      throws IOException {
    return readAll(new CsvRecordReader(in, format, FILE, maxRecordChars));
  }

  private static Parsed parse(byte[] content, CsvFormat format, int chunk) throws IOException {
    return parse(chunked(content, chunk), format, CsvRecordReader.DEFAULT_MAX_RECORD_CHARS);
  }

  private static List<List<String>> rows(String... rows) {
    // Test shorthand: one argument per record, its fields separated by '^'.
    List<List<String>> out = new ArrayList<>();
    for (String row : rows) {
      out.add(Arrays.asList(row.split("\\^", -1)));
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
    CsvFormat rfc = CsvFormat.RFC4180;
    return Stream.of(
        arguments(
            "plain", rfc, "a,b\n1,2\n3,4\n", List.of("a", "b"), rows("1^2", "3^4"), lines(2, 3)),
        arguments("no trailing newline", rfc, "a,b\n1,2", List.of("a", "b"), rows("1^2"), lines(2)),
        arguments(
            "CRLF",
            rfc,
            "a,b\r\n1,2\r\n3,4\r\n",
            List.of("a", "b"),
            rows("1^2", "3^4"),
            lines(2, 3)),
        arguments(
            "lone CR", rfc, "a,b\r1,2\r3,4", List.of("a", "b"), rows("1^2", "3^4"), lines(2, 3)),
        arguments(
            "mixed line breaks",
            rfc,
            "a,b\r\n1,2\n3,4\r5,6\r\n",
            List.of("a", "b"),
            rows("1^2", "3^4", "5^6"),
            lines(2, 3, 4)),
        arguments(
            "empty fields",
            rfc,
            "a,b,c\n,,\n1,,3\n,2,\n",
            List.of("a", "b", "c"),
            rows("^^", "1^^3", "^2^"),
            lines(2, 3, 4)),
        arguments("separator then EOF", rfc, "a,b\n1,", List.of("a", "b"), rows("1^"), lines(2)),
        arguments(
            "empty quoted fields", rfc, "a,b\n\"\",\"\"\n", List.of("a", "b"), rows("^"), lines(2)),
        arguments(
            "quoted separator",
            rfc,
            "a,b\n\"x,y\",\",\"\n",
            List.of("a", "b"),
            rows("x,y^,"),
            lines(2)),
        arguments(
            "doubled quotes",
            rfc,
            "a,b\n\"say \"\"hi\"\"\",\"\"\"\"\n\"\"\"\"\"\",x\n",
            List.of("a", "b"),
            rows("say \"hi\"^\"", "\"\"^x"),
            lines(2, 3)),
        arguments(
            "embedded LF counts lines",
            rfc,
            "a,b\n\"l1\nl2\",x\n1,2\n",
            List.of("a", "b"),
            rows("l1\nl2^x", "1^2"),
            lines(2, 4)),
        arguments(
            "embedded CRLF counts once per break",
            rfc,
            "a,b\r\n\"l1\r\nl2\r\nl3\",x\r\n1,2\r\n",
            List.of("a", "b"),
            rows("l1\r\nl2\r\nl3^x", "1^2"),
            lines(2, 5)),
        arguments(
            "embedded lone CR and LF-CR",
            rfc,
            "a,b\n\"l1\rl2\n\rl3\",x\n1,2",
            List.of("a", "b"),
            rows("l1\rl2\n\rl3^x", "1^2"),
            lines(2, 6)),
        arguments(
            "quoted field ending a line",
            rfc,
            "a,b\r\n\"1\",\"2\"\r\n\"3\",\"4\"",
            List.of("a", "b"),
            rows("1^2", "3^4"),
            lines(2, 3)),
        arguments(
            "quoted header",
            rfc,
            "\"a,1\",\"b\"\"2\"\n1,2",
            List.of("a,1", "b\"2"),
            rows("1^2"),
            lines(2)),
        arguments("BOM", rfc, "\uFEFFa,b\n1,2\n", List.of("a", "b"), rows("1^2"), lines(2)),
        arguments(
            "BOM then quote", rfc, "\uFEFF\"a\",b\n1,2", List.of("a", "b"), rows("1^2"), lines(2)),
        arguments(
            "BOM only at start is stripped",
            rfc,
            "a,b\n\uFEFF1,2\n",
            List.of("a", "b"),
            rows("\uFEFF1^2"),
            lines(2)),
        arguments(
            "unicode incl 4-byte emoji",
            rfc,
            "name,emoji\nJosé,😀\n日本,\"💩,🎉\"\n𝄞x,é😀é\n",
            List.of("name", "emoji"),
            rows("José^😀", "日本^💩,🎉", "𝄞x^é😀é"),
            lines(2, 3, 4)),
        arguments(
            "whitespace is data",
            rfc,
            "a,b\n 1 , 2 \n",
            List.of("a", "b"),
            rows(" 1 ^ 2 "),
            lines(2)),
        arguments(
            "blank line is one empty value",
            rfc,
            "a\n\n1\n\n",
            List.of("a"),
            rows("", "1", ""),
            lines(2, 3, 4)),
        arguments("header only", rfc, "a,b\n", List.of("a", "b"), rows(), lines()),
        arguments("header only without newline", rfc, "a,b", List.of("a", "b"), rows(), lines()),
        arguments("empty file", rfc, "", List.of(), rows(), lines()),
        arguments("BOM only", rfc, "\uFEFF", List.of(), rows(), lines()),
        arguments(
            "semicolon separator",
            SEMICOLON,
            "a;b\n\"x;y\";2\n1,5;3\n",
            List.of("a", "b"),
            rows("x;y^2", "1,5^3"),
            lines(2, 3)),
        arguments(
            "tab separator",
            TAB,
            "a\tb\n1\t\"x\ty\"\n\t\n",
            List.of("a", "b"),
            rows("1^x\ty", "^"),
            lines(2, 3)),
        arguments(
            "apostrophe quote",
            APOSTROPHE,
            "a,b\n'it''s',\"q\"\n'x,\ny',2\n",
            List.of("a", "b"),
            rows("it's^\"q\"", "x,\ny^2"),
            lines(2, 3)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("wellFormed")
  void shouldReadWellFormedCsv(
      String name,
      CsvFormat format,
      String content,
      List<String> columns,
      List<List<String>> rows,
      List<Long> lines)
      throws IOException {
    for (int chunk : CHUNKS) {
      Parsed parsed = parse(utf8(content), format, chunk);
      assertThat(parsed.columns()).as("columns, chunk %d", chunk).isEqualTo(columns);
      assertThat(parsed.rows()).as("rows, chunk %d", chunk).isEqualTo(rows);
      assertThat(parsed.lines()).as("lines, chunk %d", chunk).isEqualTo(lines);
    }
  }

  static Stream<Arguments> malformed() {
    CsvFormat rfc = CsvFormat.RFC4180;
    int max = CsvRecordReader.DEFAULT_MAX_RECORD_CHARS;
    return Stream.of(
        arguments(
            "ragged short row",
            rfc,
            max,
            utf8("a,b,c,d\n1,2,3,4\n1,2,3\n"),
            3,
            "part-00001.csv line 3: ragged row: 3 fields where the header has 4"),
        arguments(
            "ragged long row",
            rfc,
            max,
            utf8("a,b\n1,2,3,4,5\n"),
            2,
            "part-00001.csv line 2: ragged row: 5 fields where the header has 2"),
        arguments(
            "ragged after multi-line field",
            rfc,
            max,
            utf8("a,b\n\"x\r\ny\",1\n1\n"),
            4,
            "line 4: ragged row: 1 fields where the header has 2"),
        arguments(
            "blank line in a two-column file",
            rfc,
            max,
            utf8("a,b\n1,2\n\n3,4\n"),
            3,
            "line 3: ragged row: 1 fields where the header has 2"),
        arguments(
            "unterminated quote",
            rfc,
            max,
            utf8("a,b\n1,2\n1,\"abc\n2,3\n"),
            3,
            "line 3: unterminated quoted field starting at line 3"),
        arguments(
            "unterminated quote in header",
            rfc,
            max,
            utf8("a,\"b"),
            1,
            "line 1: unterminated quoted field starting at line 1"),
        arguments(
            "stray quote in unquoted field",
            rfc,
            max,
            utf8("a,b\n1,ab\"c\"\n"),
            2,
            "line 2: quote character inside an unquoted field"),
        arguments(
            "garbage after closing quote",
            rfc,
            max,
            utf8("a,b\n\"x\"y,1\n"),
            2,
            "line 2: unexpected character 'y' after a closing quote"),
        arguments(
            "space after closing quote",
            rfc,
            max,
            utf8("a,b\n1,\"x\" \n"),
            2,
            "line 2: unexpected character ' ' after a closing quote"),
        arguments(
            "invalid UTF-8 byte",
            rfc,
            max,
            concat(utf8("a,b\n1,2\n3,"), bytes(0xff), utf8("\n")),
            3,
            "line 3: invalid UTF-8 byte sequence"),
        arguments(
            "truncated UTF-8 sequence at EOF",
            rfc,
            max,
            concat(utf8("a,b\n1,"), bytes(0xe2, 0x82)),
            2,
            "line 2: invalid UTF-8 byte sequence"),
        arguments(
            "overlong UTF-8 encoding",
            rfc,
            max,
            concat(utf8("a,b\n1,"), bytes(0xc0, 0xaf), utf8("\n")),
            2,
            "line 2: invalid UTF-8 byte sequence"),
        arguments(
            "UTF-8 encoded surrogate",
            rfc,
            max,
            concat(utf8("a,b\n\"x\ny\","), bytes(0xed, 0xa0, 0x80), utf8("\n")),
            3,
            "line 3: invalid UTF-8 byte sequence"),
        arguments(
            "Latin-1 file",
            rfc,
            max,
            "name\nJosé\n".getBytes(StandardCharsets.ISO_8859_1),
            2,
            "line 2: invalid UTF-8 byte sequence"),
        arguments(
            "empty header name",
            rfc,
            max,
            utf8("a,,c\n1,2,3\n"),
            1,
            "line 1: empty column name at position 2"),
        arguments(
            "empty first line",
            rfc,
            max,
            utf8("\na\n"),
            1,
            "line 1: empty column name at position 1"),
        arguments(
            "duplicate header",
            rfc,
            max,
            utf8("a,b,a\n1,2,3\n"),
            1,
            "line 1: duplicate column name \"a\""),
        arguments(
            "record too long",
            rfc,
            10,
            utf8("a,b\n12345,67890\n"),
            2,
            "line 2: record longer than 10 characters"),
        arguments(
            "header too long",
            rfc,
            10,
            utf8("abcdef,ghijk\n"),
            1,
            "line 1: record longer than 10 characters"),
        arguments(
            "quoted record too long",
            rfc,
            10,
            utf8("a\n1\n\"12\"\"345\n67890\""),
            3,
            "line 3: record longer than 10 characters"),
        arguments(
            "too many empty fields",
            rfc,
            10,
            utf8("a\n,,,,,,,,,,,,,,,,,,,,\n"),
            2,
            "line 2: record longer than 10 characters"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  void shouldRejectMalformedCsv(
      String name,
      CsvFormat format,
      int maxRecordChars,
      byte[] content,
      long line,
      String message) {
    for (int chunk : CHUNKS) {
      assertThatThrownBy(() -> parse(chunked(content, chunk), format, maxRecordChars))
          .as("chunk %d", chunk)
          .isInstanceOfSatisfying(
              MalformedResultException.class,
              e -> {
                assertThat(e.fileName()).isEqualTo(FILE);
                assertThat(e.line()).isEqualTo(line);
              })
          .hasMessageContaining(message)
          .hasMessageStartingWith(FILE + " line " + line + ": ");
    }
  }

  @Test
  void shouldServeTheRecordsBeforeAMalformedOne() throws IOException {
    byte[] content = concat(utf8("a\n1\n2\n"), bytes(0xff));
    try (CsvRecordReader reader =
        new CsvRecordReader(new ByteArrayInputStream(content), CsvFormat.RFC4180, FILE)) {
      assertThat(reader.next()).containsExactly("1");
      assertThat(reader.next()).containsExactly("2");
      assertThatThrownBy(reader::next)
          .isInstanceOf(MalformedResultException.class)
          .hasMessage(FILE + " line 4: invalid UTF-8 byte sequence");
    }
  }

  @ParameterizedTest(name = "{0} chars with a {1} at offset {2}")
  @CsvSource({
    // Offsets around the 64 Ki-char block boundary, where a two-char construct may be split.
    "65536, doubled quote, 65534",
    "65536, doubled quote, 65535",
    "65536, doubled quote, 65536",
    "65536, CRLF, 65535",
    "65536, closing quote, 65535",
    "200000, doubled quote, 131071",
    "200000, CRLF, 131071",
  })
  void shouldReadLongQuotedFieldsThatSpanBlocks(int length, String construct, int offset)
      throws IOException {
    // Header "h", one quoted field of `length` chars, then a second record "z".
    StringBuilder value = new StringBuilder("x".repeat(length));
    String insert =
        switch (construct) {
          case "doubled quote" -> "\"";
          case "CRLF" -> "\r\n";
          default -> "";
        };
    String encodedInsert = insert.replace("\"", "\"\"");
    int at = offset - "h\n\"".length();
    value.insert(at, insert);
    String field = value.toString();
    String content =
        "h\n\"" + field.substring(0, at) + encodedInsert + field.substring(at + insert.length());
    content += "\"\nz\n";

    Parsed parsed = parse(utf8(content), CsvFormat.RFC4180, Integer.MAX_VALUE);

    assertThat(parsed.rows()).hasSize(2);
    assertThat(parsed.rows().get(0).get(0)).isEqualTo(field);
    assertThat(parsed.rows().get(1)).containsExactly("z");
    assertThat(parsed.lines()).containsExactly(2L, construct.equals("CRLF") ? 4L : 3L);
  }

  @ParameterizedTest
  @ValueSource(ints = {65535, 65536, 65537, 300_000})
  void shouldReadLongUnquotedFieldsThatSpanBlocks(int length) throws IOException {
    String big = "y".repeat(length);
    Parsed parsed =
        parse(utf8("a,b\r\n" + big + ",1\r\n2," + big + "\r\n"), CsvFormat.RFC4180, 8192);

    assertThat(parsed.rows()).containsExactly(List.of(big, "1"), List.of("2", big));
    assertThat(parsed.lines()).containsExactly(2L, 3L);
  }

  /**
   * Random records with every special char, written with minimal quoting and read back through
   * randomly sized reads: whatever the block boundaries, the values must survive unchanged.
   */
  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5})
  void shouldRoundTripRandomRecords(long seed) throws IOException {
    Random random = new Random(seed);
    CsvFormat format = seed % 2 == 0 ? CsvFormat.RFC4180 : SEMICOLON;
    int[] alphabet = "ab ,;\"\r\n\té😀".codePoints().toArray();
    int columns = 1 + random.nextInt(5);
    List<List<String>> expected = new ArrayList<>();
    StringBuilder csv = new StringBuilder();
    List<String> header = new ArrayList<>();
    for (int c = 0; c < columns; c++) {
      header.add("c" + c);
    }
    appendRecord(csv, header, format);
    for (int r = 0; r < 2000; r++) {
      List<String> record = new ArrayList<>();
      for (int c = 0; c < columns; c++) {
        StringBuilder v = new StringBuilder();
        int len = random.nextInt(random.nextInt(10) == 0 ? 200 : 8);
        for (int i = 0; i < len; i++) {
          v.appendCodePoint(alphabet[random.nextInt(alphabet.length)]);
        }
        record.add(v.toString());
      }
      if (columns == 1 && record.get(0).isEmpty()) {
        record.set(0, "e"); // a lone empty value would be written as a blank line; tested above
      }
      expected.add(record);
      appendRecord(csv, record, format);
    }
    byte[] content = utf8(csv.toString());
    InputStream in = randomChunks(content, random);

    Parsed parsed = parse(in, format, CsvRecordReader.DEFAULT_MAX_RECORD_CHARS);

    assertThat(parsed.columns()).isEqualTo(header);
    assertThat(parsed.rows()).isEqualTo(expected);
  }

  private static void appendRecord(StringBuilder out, List<String> values, CsvFormat format) {
    for (int i = 0; i < values.size(); i++) {
      if (i > 0) {
        out.append(format.separator());
      }
      String v = values.get(i);
      boolean quote =
          v.indexOf(format.separator()) >= 0
              || v.indexOf(format.quote()) >= 0
              || v.indexOf('\r') >= 0
              || v.indexOf('\n') >= 0;
      if (quote) {
        String q = String.valueOf(format.quote());
        out.append(q).append(v.replace(q, q + q)).append(q);
      } else {
        out.append(v);
      }
    }
    out.append(out.length() % 3 == 0 ? "\r\n" : "\n");
  }

  private static InputStream randomChunks(byte[] data, Random random) {
    return new InputStream() {
      private int pos;

      @Override
      public int read() {
        return pos < data.length ? data[pos++] & 0xff : -1;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (pos >= data.length) {
          return -1;
        }
        int n = Math.min(Math.min(len, 1 + random.nextInt(100)), data.length - pos);
        System.arraycopy(data, pos, b, off, n);
        pos += n;
        return n;
      }
    };
  }

  @Test
  void shouldExposeReadOnlyColumns() throws IOException {
    try (CsvRecordReader reader =
        new CsvRecordReader(new ByteArrayInputStream(utf8("a,b\n")), CsvFormat.RFC4180, FILE)) {
      assertThatThrownBy(() -> reader.columns().set(0, "x"))
          .isInstanceOf(UnsupportedOperationException.class);
    }
  }

  @ParameterizedTest
  @CsvSource({"',', ','", "'\"', '\"'", "'\n', '\"'", "',', '\r'"})
  void shouldRejectAmbiguousFormats(char separator, char quote) {
    assertThatThrownBy(() -> new CsvFormat(separator, quote))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * Parses ~50 MB of generated CSV and checks the row count. It prints the throughput for people
   * tuning the parser but never asserts on time, which would make the build depend on the machine.
   */
  @Test
  void shouldParseFiftyMegabytes() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(56 << 20);
    out.writeBytes(
        utf8("execution_id,campaign,impressions,clicks,spend,ctr,name,country,day,note\n"));
    long rows = 0;
    while (out.size() < 50 << 20) {
      out.writeBytes(
          utf8(
              "e-"
                  + rows
                  + ",campaign-"
                  + (rows % 977)
                  + ","
                  + (rows * 31 % 100000)
                  + ","
                  + (rows % 713)
                  + ","
                  + (rows % 10000) / 100.0
                  + ",0.0"
                  + (rows % 97)
                  + ",\"Ad, \"\"group\"\" "
                  + (rows % 50)
                  + "\",DE,2024-01-"
                  + (10 + rows % 20)
                  + ",Müller café\n"));
      rows++;
    }
    byte[] content = out.toByteArray();

    long best = Long.MAX_VALUE;
    for (int round = 0; round < 5; round++) {
      long start = System.nanoTime();
      long count = 0;
      try (CsvRecordReader reader =
          new CsvRecordReader(new ByteArrayInputStream(content), CsvFormat.RFC4180, FILE)) {
        while (reader.next() != null) {
          count++;
        }
      }
      best = Math.min(best, System.nanoTime() - start);
      assertThat(count).isEqualTo(rows);
    }
    System.out.printf(
        "CsvRecordReader: %d MB, %d rows, best of 5: %.0f MB/s%n",
        content.length >> 20, rows, content.length / 1e6 / (best / 1e9));
  }
}
