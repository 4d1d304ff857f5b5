package io.executionpoller.results;

import java.util.Arrays;
import java.util.UUID;

/**
 * Cuts one stored file into segments and encodes each as a tuple of PostgreSQL's binary COPY format
 * for result_segments (execution_id, file_index, segment, first_row, row_count, fields text[], data
 * bytea): up to {@link #MAX_SEGMENT_ROWS} parsed rows plus the next piece of the file's original
 * bytes. One continuous COPY carries rows and bytes together, so the database works while the
 * parser reads; binary, so the server neither parses array literals nor unescapes text; segments,
 * so it pays one tuple, index entry and foreign-key check per thousand rows (ADR 0004). Fields are
 * UTF-8-encoded by hand into reusable buffers: this runs once per field of results that reach
 * gigabytes, and memory stays at about one segment whatever the file size.
 */
final class SegmentEncoder {

  /** Rows per segment at most; the rows API relies on it to find a row's segment by range. */
  static final int MAX_SEGMENT_ROWS = 1000;

  /** A segment is closed early once its fields take this many bytes (wide rows). */
  static final int MAX_FIELD_BYTES = 512 * 1024;

  /** A segment is closed once it holds this many original bytes. */
  static final int MAX_DATA_BYTES = 1024 * 1024;

  /** PostgreSQL text cannot hold NUL; it is stored as U+FFFD (the original bytes keep it). */
  static final char NUL_REPLACEMENT = '\uFFFD';

  private static final byte[] SIGNATURE = {
    'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0
  };
  private static final int TEXT_OID = 25;

  private final byte[] executionId = new byte[16];

  /** The open segment's fields: a 4-byte length (or -1 for NULL) and the bytes, per element. */
  private byte[] elements = new byte[64 * 1024];

  private int elementsLength;
  private int elementCount;
  private boolean hasNull;

  /** The open segment's original bytes. */
  private final byte[] data = new byte[MAX_DATA_BYTES];

  private int dataLength;

  private int fileIndex;
  private int segment;
  private long firstRow = 1;
  private long nextRow = 1;
  private int rows;

  /** Finished tuples waiting to be written to COPY. */
  private byte[] out = new byte[64 * 1024];

  private int outLength;

  SegmentEncoder(UUID executionId) {
    long high = executionId.getMostSignificantBits();
    long low = executionId.getLeastSignificantBits();
    for (int i = 0; i < 8; i++) {
      this.executionId[i] = (byte) (high >>> (56 - 8 * i));
      this.executionId[8 + i] = (byte) (low >>> (56 - 8 * i));
    }
  }

  /** The binary COPY header; written once at the start of every COPY command. */
  static byte[] header() {
    // The signature, then flags (int32 0) and the header extension length (int32 0).
    return Arrays.copyOf(SIGNATURE, SIGNATURE.length + 8);
  }

  /** The binary COPY trailer; written once before ending every COPY command. */
  static byte[] trailer() {
    return new byte[] {(byte) 0xFF, (byte) 0xFF};
  }

  /** Begins file {@code index} (dropping anything unfinished); its first row gets that number. */
  void startFile(int index, long firstRowNumber) {
    discard();
    fileIndex = index;
    segment = 0;
    nextRow = firstRowNumber;
    firstRow = firstRowNumber;
  }

  /** Adds the next row of the file. */
  void row(String[] fields) {
    if (rows == MAX_SEGMENT_ROWS || elementsLength >= MAX_FIELD_BYTES) {
      closeSegment();
    }
    for (String field : fields) {
      appendElement(field);
    }
    rows++;
    nextRow++;
  }

  /** Adds the next original bytes of the file, in the order they came. */
  void data(byte[] bytes, int offset, int length) {
    while (length > 0) {
      if (dataLength == data.length) {
        closeSegment();
      }
      int n = Math.min(length, data.length - dataLength);
      System.arraycopy(bytes, offset, data, dataLength, n);
      dataLength += n;
      offset += n;
      length -= n;
    }
  }

  /** Closes the open segment, if it holds anything, into a tuple. */
  void closeSegment() {
    if (rows == 0 && dataLength == 0) {
      return;
    }
    int arrayLength = 20 + elementsLength;
    ensureOut(2 + 20 + 8 + 8 + 12 + 8 + 4 + arrayLength + 4 + dataLength);
    putShort(7);
    putInt(16);
    System.arraycopy(executionId, 0, out, outLength, 16);
    outLength += 16;
    putInt(4);
    putInt(fileIndex);
    putInt(4);
    putInt(segment);
    putInt(8);
    putLong(firstRow);
    putInt(4);
    putInt(rows);
    putInt(arrayLength);
    putInt(1); // dimensions
    putInt(hasNull ? 1 : 0);
    putInt(TEXT_OID);
    putInt(elementCount);
    putInt(1); // lower bound
    System.arraycopy(elements, 0, out, outLength, elementsLength);
    outLength += elementsLength;
    putInt(dataLength);
    System.arraycopy(data, 0, out, outLength, dataLength);
    outLength += dataLength;
    segment++;
    firstRow = nextRow;
    elementsLength = 0;
    elementCount = 0;
    hasNull = false;
    rows = 0;
    dataLength = 0;
  }

  /** Closed segments of the current file. */
  int segments() {
    return segment;
  }

  /** Bytes of finished tuples; hand them to COPY, then {@link #clear()}. */
  byte[] buffer() {
    return out;
  }

  int length() {
    return outLength;
  }

  void clear() {
    outLength = 0;
  }

  /** Drops the open segment and any finished tuples (a file fetched again starts over). */
  void discard() {
    outLength = 0;
    elementsLength = 0;
    elementCount = 0;
    hasNull = false;
    rows = 0;
    dataLength = 0;
  }

  private void appendElement(String field) {
    elementCount++;
    if (field == null) {
      hasNull = true;
      ensureElements(4);
      writeInt(elements, elementsLength, -1);
      elementsLength += 4;
      return;
    }
    int n = field.length();
    ensureElements(4 + n * 3);
    byte[] buf = elements;
    int lengthAt = elementsLength;
    int pos = lengthAt + 4;
    for (int i = 0; i < n; i++) {
      char c = field.charAt(i);
      if (c < 0x80 && c != 0) {
        buf[pos++] = (byte) c;
      } else if (c == 0) {
        pos = putUtf8(buf, pos, NUL_REPLACEMENT);
      } else if (Character.isHighSurrogate(c)
          && i + 1 < n
          && Character.isLowSurrogate(field.charAt(i + 1))) {
        int cp = Character.toCodePoint(c, field.charAt(++i));
        buf[pos++] = (byte) (0xF0 | (cp >> 18));
        buf[pos++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
        buf[pos++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
        buf[pos++] = (byte) (0x80 | (cp & 0x3F));
      } else if (Character.isSurrogate(c)) {
        // A lone surrogate cannot be encoded; the parsers never produce one from valid UTF-8.
        pos = putUtf8(buf, pos, NUL_REPLACEMENT);
      } else {
        pos = putUtf8(buf, pos, c);
      }
    }
    writeInt(buf, lengthAt, pos - lengthAt - 4);
    elementsLength = pos;
  }

  private static int putUtf8(byte[] buf, int pos, char c) {
    if (c < 0x800) {
      buf[pos++] = (byte) (0xC0 | (c >> 6));
      buf[pos++] = (byte) (0x80 | (c & 0x3F));
    } else {
      buf[pos++] = (byte) (0xE0 | (c >> 12));
      buf[pos++] = (byte) (0x80 | ((c >> 6) & 0x3F));
      buf[pos++] = (byte) (0x80 | (c & 0x3F));
    }
    return pos;
  }

  private void ensureElements(int extra) {
    if (elementsLength + extra > elements.length) {
      elements = Arrays.copyOf(elements, Math.max(elements.length * 2, elementsLength + extra));
    }
  }

  private void ensureOut(int extra) {
    if (outLength + extra > out.length) {
      out = Arrays.copyOf(out, Math.max(out.length * 2, outLength + extra));
    }
  }

  private void putShort(int value) {
    out[outLength++] = (byte) (value >>> 8);
    out[outLength++] = (byte) value;
  }

  private void putInt(int value) {
    writeInt(out, outLength, value);
    outLength += 4;
  }

  private void putLong(long value) {
    putInt((int) (value >>> 32));
    putInt((int) value);
  }

  private static void writeInt(byte[] buf, int at, int value) {
    buf[at] = (byte) (value >>> 24);
    buf[at + 1] = (byte) (value >>> 16);
    buf[at + 2] = (byte) (value >>> 8);
    buf[at + 3] = (byte) value;
  }
}
