package io.executionpoller.simulator;

import java.nio.charset.StandardCharsets;

/**
 * Renders the rows of a generated CSV straight into a byte array, and tells each row's length
 * without rendering it: the S3 route needs the exact Content-Length before the first byte, and
 * counting must not cost a copy of the file.
 */
interface RowFormat {

  /** No row is longer: a chunk buffer keeps this much room at its end so rows never split. */
  int MAX_ROW = 512;

  byte[] header();

  /** Writes row {@code row} (numbered from 1) at {@code at}; returns the position after it. */
  int write(long row, byte[] out, int at);

  /** The bytes {@link #write} produces for {@code row}, computed without producing them. */
  int length(long row);

  /** The bytes of the header and rows 1 to {@code rows}: one cheap pass, nothing allocated. */
  default long totalLength(long rows) {
    long total = header().length;
    for (long row = 1; row <= rows; row++) {
      total += length(row);
    }
    return total;
  }

  static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  /** Decimal digits of a non-negative number. */
  static int digits(long value) {
    int digits = 1;
    while (value >= 10) {
      value /= 10;
      digits++;
    }
    return digits;
  }

  /** Writes a non-negative number in decimal without allocating; returns the next position. */
  static int putLong(byte[] out, int at, long value) {
    int end = at + digits(value);
    int position = end;
    do {
      out[--position] = (byte) ('0' + value % 10);
      value /= 10;
    } while (value > 0);
    return end;
  }

  static int put(byte[] out, int at, byte[] text) {
    System.arraycopy(text, 0, out, at, text.length);
    return at + text.length;
  }
}
