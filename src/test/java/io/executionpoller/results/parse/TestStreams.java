package io.executionpoller.results.parse;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/** Input helpers shared by the parse tests. */
final class TestStreams {

  private TestStreams() {}

  /** What a reader produced: header, records and the line each record started on. */
  record Parsed(List<String> columns, List<List<String>> rows, List<Long> lines) {}

  /** Reads every record of {@code reader}, checks that it stays at the end, and closes it. */
  static Parsed readAll(RecordReader reader) throws IOException {
    try (reader) {
      List<List<String>> rows = new ArrayList<>();
      List<Long> lines = new ArrayList<>();
      for (String[] row = reader.next(); row != null; row = reader.next()) {
        rows.add(Arrays.asList(row));
        lines.add(reader.line());
      }
      assertThat(reader.next()).as("stays at the end").isNull();
      return new Parsed(reader.columns(), rows, lines);
    }
  }

  /** Line numbers, as {@link Parsed#lines} holds them. */
  static List<Long> lines(long... lines) {
    List<Long> out = new ArrayList<>();
    for (long line : lines) {
      out.add(line);
    }
    return out;
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  static byte[] bytes(int... values) {
    byte[] out = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (byte) values[i];
    }
    return out;
  }

  static byte[] gzip(byte[] content) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
        gz.write(content);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Serves {@code data} at most {@code chunk} bytes per read and always reports nothing available,
   * like a slow network stream; chunk 1 splits every multi-byte char and every char pair.
   */
  static InputStream chunked(byte[] data, int chunk) {
    return new InputStream() {
      private int pos;

      @Override
      public int read() {
        return pos < data.length ? data[pos++] & 0xff : -1;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (len == 0) {
          return 0;
        }
        if (pos >= data.length) {
          return -1;
        }
        int n = Math.min(Math.min(len, chunk), data.length - pos);
        System.arraycopy(data, pos, b, off, n);
        pos += n;
        return n;
      }

      @Override
      public int available() {
        return 0;
      }
    };
  }

  /** Serves {@code data}, then fails as a dropped connection would. */
  static InputStream failingAfter(byte[] data, IOException failure) {
    InputStream body = chunked(data, 4096);
    return new InputStream() {
      @Override
      public int read() throws IOException {
        int b = body.read();
        if (b < 0) {
          throw failure;
        }
        return b;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int n = body.read(b, off, len);
        if (n < 0) {
          throw failure;
        }
        return n;
      }
    };
  }
}
