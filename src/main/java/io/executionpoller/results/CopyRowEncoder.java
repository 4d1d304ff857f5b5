package io.executionpoller.results;

import java.util.Arrays;

/**
 * Encodes result rows as lines of PostgreSQL's COPY text format for the table result_rows
 * (execution_id, row_number, fields text[]). Two escapings stack: the array literal quotes every
 * element and backslash-escapes quotes and backslashes, then COPY escapes backslashes and the line
 * and field separators. Written byte by byte into one reusable buffer: this runs once per field of
 * results that reach gigabytes, so it allocates nothing per row.
 */
final class CopyRowEncoder {

  /** PostgreSQL text cannot hold NUL; it is stored as U+FFFD (the original bytes keep it). */
  static final char NUL_REPLACEMENT = '\uFFFD';

  private final byte[] prefix;
  private byte[] buffer;
  private int length;

  CopyRowEncoder(String executionId, int initialCapacity) {
    this.prefix = (executionId + "\t").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    this.buffer = new byte[Math.max(initialCapacity, 1024)];
  }

  /** Appends one row; null fields become SQL NULL array elements. */
  void append(long rowNumber, String[] fields) {
    ensure(prefix.length + 24);
    System.arraycopy(prefix, 0, buffer, length, prefix.length);
    length += prefix.length;
    appendAscii(Long.toString(rowNumber));
    put((byte) '\t');
    put((byte) '{');
    for (int i = 0; i < fields.length; i++) {
      if (i > 0) {
        put((byte) ',');
      }
      String field = fields[i];
      if (field == null) {
        appendAscii("NULL");
      } else {
        put((byte) '"');
        appendElement(field);
        put((byte) '"');
      }
    }
    put((byte) '}');
    put((byte) '\n');
  }

  byte[] buffer() {
    return buffer;
  }

  int length() {
    return length;
  }

  void clear() {
    length = 0;
  }

  private void appendElement(String field) {
    int n = field.length();
    ensure(n * 4 + 8);
    byte[] out = buffer;
    int pos = length;
    for (int i = 0; i < n; i++) {
      char c = field.charAt(i);
      if (c < 0x80) {
        switch (c) {
          case '\\':
            // Array escape \\ then COPY escapes each backslash: four in all.
            out[pos++] = '\\';
            out[pos++] = '\\';
            out[pos++] = '\\';
            out[pos++] = '\\';
            break;
          case '"':
            out[pos++] = '\\';
            out[pos++] = '\\';
            out[pos++] = '"';
            break;
          case '\n':
            out[pos++] = '\\';
            out[pos++] = 'n';
            break;
          case '\r':
            out[pos++] = '\\';
            out[pos++] = 'r';
            break;
          case '\t':
            out[pos++] = '\\';
            out[pos++] = 't';
            break;
          case 0:
            pos = putUtf8(out, pos, NUL_REPLACEMENT);
            break;
          default:
            out[pos++] = (byte) c;
        }
      } else if (Character.isHighSurrogate(c)
          && i + 1 < n
          && Character.isLowSurrogate(field.charAt(i + 1))) {
        int cp = Character.toCodePoint(c, field.charAt(++i));
        out[pos++] = (byte) (0xF0 | (cp >> 18));
        out[pos++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
        out[pos++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
        out[pos++] = (byte) (0x80 | (cp & 0x3F));
      } else if (Character.isSurrogate(c)) {
        // A lone surrogate cannot be encoded; the parsers never produce one from valid UTF-8.
        pos = putUtf8(out, pos, NUL_REPLACEMENT);
      } else {
        pos = putUtf8(out, pos, c);
      }
    }
    length = pos;
  }

  private static int putUtf8(byte[] out, int pos, char c) {
    if (c < 0x800) {
      out[pos++] = (byte) (0xC0 | (c >> 6));
      out[pos++] = (byte) (0x80 | (c & 0x3F));
    } else {
      out[pos++] = (byte) (0xE0 | (c >> 12));
      out[pos++] = (byte) (0x80 | ((c >> 6) & 0x3F));
      out[pos++] = (byte) (0x80 | (c & 0x3F));
    }
    return pos;
  }

  private void appendAscii(String text) {
    ensure(text.length());
    for (int i = 0; i < text.length(); i++) {
      buffer[length++] = (byte) text.charAt(i);
    }
  }

  private void put(byte b) {
    ensure(1);
    buffer[length++] = b;
  }

  private void ensure(int extra) {
    if (length + extra > buffer.length) {
      buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + extra));
    }
  }
}
