package io.executionpoller.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Result files without a server: row rendering and lengths, naming, and the gzip encoder. */
class ResultFileTest {

  @Test
  void shouldKeepTheShapeOfDemoRows() {
    String csv = render(ResultFile.Shape.DEMO, 2);

    assertThat(csv)
        .isEqualTo(
            "campaign_id,campaign_name,impressions,clicks\r\n"
                + "1,\"Campaign 1, demo\",1000,7\r\n"
                + "2,\"Campaign 2, demo\",2000,14\r\n");
  }

  @ParameterizedTest
  @EnumSource(ResultFile.Shape.class)
  void shouldWriteEachRowAsLongAsItsComputedLength(ResultFile.Shape shape) {
    RowFormat format = shape.format();
    byte[] row = new byte[RowFormat.MAX_ROW];
    List<Long> rows = new ArrayList<>();
    for (long power = 1; power <= 1_000_000_000_000L; power *= 10) {
      rows.addAll(List.of(power - 1, power, power + 1, power * 7 / 5));
    }
    for (long sample = 1; sample <= 5_000; sample++) {
      rows.add(sample * 7_919);
    }
    rows.removeIf(r -> r < 1);

    for (long r : rows) {
      assertThat(format.write(r, row, 0)).as("row %d", r).isEqualTo(format.length(r));
    }
  }

  @ParameterizedTest
  @EnumSource(ResultFile.Shape.class)
  void shouldComputeATotalLengthEqualToWhatTheChunksHold(ResultFile.Shape shape) {
    long rows = 30_000;
    long total = 0;
    int chunks = 0;
    RowChunks source = new RowChunks(shape.format(), rows);
    for (Buffer chunk = next(source); chunk != null; chunk = next(source)) {
      assertThat(chunk.length()).isLessThanOrEqualTo(ChunkSource.CHUNK + RowFormat.MAX_ROW);
      total += chunk.length();
      chunks++;
    }

    assertThat(total).isEqualTo(shape.format().totalLength(rows));
    assertThat(chunks).as("rendered in chunks, not at once").isGreaterThan(5);
  }

  @Test
  void shouldRenderWideRowsAsTenColumnsOfAbout110Bytes() {
    String[] lines = render(ResultFile.Shape.WIDE, 20_000).split("\n");

    assertThat(lines).hasSize(20_001);
    assertThat(fields(lines[0])).hasSize(10);
    long bytes = 0;
    for (int i = 1; i < lines.length; i++) {
      List<String> fields = fields(lines[i]);
      assertThat(fields).as(lines[i]).hasSize(10);
      assertThat(fields.get(0)).isEqualTo(String.valueOf(i));
      assertThat(fields.get(1)).matches("[1-9]\\d{11}");
      assertThat(fields.get(2)).matches("[1-9]\\d{14}");
      assertThat(fields.get(3)).matches("2026-\\d\\d-\\d\\d");
      assertThat(fields.get(4)).startsWith("Campaign " + i + ", ");
      assertThat(fields.get(8)).matches("\\d+\\.\\d\\d");
      bytes += lines[i].length() + 1;
    }
    assertThat(bytes / 20_000.0).isBetween(100.0, 120.0);
    assertThat(render(ResultFile.Shape.WIDE, 50)).isEqualTo(render(ResultFile.Shape.WIDE, 50));
  }

  @Test
  void shouldNameFilesByPositionUnlessNamed() {
    byte[] bytes = "[]".getBytes(StandardCharsets.UTF_8);

    List<ResultFile> named =
        ResultFile.named(
            List.of(
                ResultFile.generated(1),
                ResultFile.wide(1).withGzip(ResultFile.GzipMode.MAGIC_ONLY),
                ResultFile.literal(null, bytes, "application/json"),
                ResultFile.literal(null, bytes, "application/x-ndjson"),
                ResultFile.literal("odd_name.txt", bytes, "text/plain"),
                ResultFile.onDisk(Path.of("/tmp/x"), null)));

    assertThat(named)
        .extracting(ResultFile::name)
        .containsExactly(
            "part-00000.csv",
            "part-00001.csv",
            "part-00002.json",
            "part-00003.ndjson",
            "odd_name.txt",
            "part-00005.csv");
    assertThat(named.get(1).servedContentType()).isEqualTo("application/octet-stream");
    assertThat(named.get(5).contentType()).isEqualTo("text/csv");
    assertThatThrownBy(
            () ->
                ResultFile.named(
                    List.of(
                        ResultFile.generated(1),
                        ResultFile.literal("part-00000.csv", bytes, "text/csv"))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ResultFile.literal("a/b.csv", bytes, null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldCopyLiteralBytes() {
    byte[] bytes = {1, 2, 3};
    ResultFile file = ResultFile.literal("x.bin", bytes, "application/octet-stream");
    bytes[0] = 9;

    byte[] held = ((ResultFile.Bytes) file.content()).bytes();
    held[1] = 9;

    assertThat(((ResultFile.Bytes) file.content()).bytes()).containsExactly(1, 2, 3);
  }

  @Test
  void shouldStreamDecodableGzipFromTheGzipEncoder() throws IOException {
    byte[] plain = render(ResultFile.Shape.WIDE, 5_000).getBytes(StandardCharsets.US_ASCII);
    GzipEncoder encoder = new GzipEncoder();
    Buffer gzip = Buffer.buffer();
    int half = plain.length / 2;

    gzip.appendBuffer(encoder.encode(Buffer.buffer(plain).getBuffer(0, half)));
    gzip.appendBuffer(encoder.flush());
    byte[] flushed = gzip.getBytes();
    gzip.appendBuffer(encoder.encode(Buffer.buffer(plain).getBuffer(half, plain.length)));
    gzip.appendBuffer(encoder.finish());
    encoder.end();

    assertThat(gunzip(gzip.getBytes())).isEqualTo(plain);
    assertThat(gzip.length()).isLessThan(plain.length / 2);
    assertThat(inflatePrefix(flushed)).as("a flush makes what was sent decodable").hasSize(half);
  }

  private static String render(ResultFile.Shape shape, long rows) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    RowChunks source = new RowChunks(shape.format(), rows);
    for (Buffer chunk = next(source); chunk != null; chunk = next(source)) {
      out.writeBytes(chunk.getBytes());
    }
    return out.toString(StandardCharsets.US_ASCII);
  }

  private static Buffer next(ChunkSource source) {
    return source.next().result();
  }

  /** Splits one CSV line, honouring quotes and doubled quotes. */
  private static List<String> fields(String line) {
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted && c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
        field.append('"');
        i++;
      } else if (c == '"') {
        quoted = !quoted;
      } else if (c == ',' && !quoted) {
        fields.add(field.toString());
        field.setLength(0);
      } else {
        field.append(c);
      }
    }
    fields.add(field.toString());
    return fields;
  }

  static byte[] gunzip(byte[] gzip) throws IOException {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip))) {
      return in.readAllBytes();
    }
  }

  /** What a stream cut after {@code gzip} decodes to, reading until the data runs out. */
  private static byte[] inflatePrefix(byte[] gzip) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip))) {
      byte[] buffer = new byte[8192];
      int read;
      while ((read = in.read(buffer)) > 0) {
        out.write(buffer, 0, read);
      }
    } catch (IOException e) {
      // The cut stream ends without a trailer; what came before it counts.
    }
    return out.toByteArray();
  }
}
