package io.executionpoller.results.parse;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Decompresses a gzip stream of one or more members (RFC 1952), checking each member's CRC-32 and
 * length.
 *
 * <p>Written out rather than using {@link java.util.zip.GZIPInputStream} because, on Java 17, that
 * class decides whether another member follows by calling {@code available()} on the source (a
 * network stream may say 0 between members, silently truncating the content) and swallows any
 * IOException while reading a following member's header (a transport failure there also looks like
 * a clean end). Here the end is only ever the source's real end, transport failures always
 * propagate, and bytes after the last member that are not another member are reported as corrupt.
 */
final class GunzipInputStream extends InputStream {

  private static final int BUFFER_SIZE = 64 * 1024;
  private static final int FHCRC = 2;
  private static final int FEXTRA = 4;
  private static final int FNAME = 8;
  private static final int FCOMMENT = 16;
  private static final int RESERVED_FLAGS = 0xE0;

  private final InputStream in;
  private final String fileName;
  private final byte[] input = new byte[BUFFER_SIZE];
  private int inputPos;
  private int inputLen;
  private final Inflater inflater = new Inflater(true);
  private final CRC32 crc = new CRC32();
  private boolean inMember;
  private boolean ended;
  private int members;
  private final byte[] single = new byte[1];

  GunzipInputStream(InputStream in, String fileName) {
    this.in = Objects.requireNonNull(in, "in");
    this.fileName = fileName;
  }

  @Override
  public int read() throws IOException {
    int n = read(single, 0, 1);
    return n < 0 ? -1 : single[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    if (len == 0) {
      return 0;
    }
    for (; ; ) {
      if (ended) {
        return -1;
      }
      if (!inMember && !startMember()) {
        ended = true;
        return -1;
      }
      int n;
      try {
        n = inflater.inflate(b, off, len);
      } catch (DataFormatException e) {
        throw corrupt("invalid deflate data (" + e.getMessage() + ")");
      }
      if (n > 0) {
        crc.update(b, off, n);
        return n;
      }
      if (inflater.finished()) {
        inputPos = inputLen - inflater.getRemaining();
        finishMember();
      } else if (inflater.needsDictionary()) {
        throw corrupt("deflate data needs a preset dictionary");
      } else if (inflater.needsInput()) {
        inputPos = inputLen;
        if (!fillInput()) {
          throw corrupt("unexpected end of data inside member " + (members + 1));
        }
        inflater.setInput(input, inputPos, inputLen - inputPos);
      }
    }
  }

  @Override
  public void close() throws IOException {
    inflater.end();
    in.close();
  }

  /** Reads a member header; false at the source's end after at least one member. */
  private boolean startMember() throws IOException {
    int id1 = readByte();
    if (id1 < 0) {
      if (members == 0) {
        throw corrupt("no gzip data");
      }
      return false;
    }
    int id2 = requireByte();
    if (id1 != 0x1f || id2 != 0x8b) {
      throw corrupt(
          members == 0 ? "not in gzip format" : "unexpected data after gzip member " + members);
    }
    int method = requireByte();
    if (method != 8) {
      throw corrupt("unsupported compression method " + method);
    }
    int flags = requireByte();
    if ((flags & RESERVED_FLAGS) != 0) {
      throw corrupt("reserved header flags set");
    }
    skip(6); // modification time, extra flags, operating system
    if ((flags & FEXTRA) != 0) {
      skip(requireByte() | requireByte() << 8);
    }
    if ((flags & FNAME) != 0) {
      skipZeroTerminated();
    }
    if ((flags & FCOMMENT) != 0) {
      skipZeroTerminated();
    }
    if ((flags & FHCRC) != 0) {
      skip(2);
    }
    inflater.reset();
    crc.reset();
    inflater.setInput(input, inputPos, inputLen - inputPos);
    inMember = true;
    return true;
  }

  private void finishMember() throws IOException {
    long expectedCrc = readIntLe();
    long expectedSize = readIntLe();
    if (expectedCrc != crc.getValue()) {
      throw corrupt("CRC-32 mismatch in member " + (members + 1));
    }
    // ISIZE is the uncompressed length modulo 2^32.
    if (expectedSize != (inflater.getBytesWritten() & 0xffffffffL)) {
      throw corrupt("length mismatch in member " + (members + 1));
    }
    inMember = false;
    members++;
  }

  private long readIntLe() throws IOException {
    long value = 0;
    for (int i = 0; i < 4; i++) {
      value |= (long) requireByte() << (8 * i);
    }
    return value;
  }

  private void skip(int count) throws IOException {
    for (int i = 0; i < count; i++) {
      requireByte();
    }
  }

  private void skipZeroTerminated() throws IOException {
    while (requireByte() != 0) {
      // header strings are not needed
    }
  }

  private int requireByte() throws IOException {
    int b = readByte();
    if (b < 0) {
      throw corrupt("unexpected end of data in a gzip header or trailer");
    }
    return b;
  }

  private int readByte() throws IOException {
    if (inputPos == inputLen && !fillInput()) {
      return -1;
    }
    return input[inputPos++] & 0xff;
  }

  /** Refills the (fully consumed) input buffer; false at the source's end. */
  private boolean fillInput() throws IOException {
    for (; ; ) {
      int n = in.read(input, 0, input.length);
      if (n < 0) {
        return false;
      }
      if (n > 0) {
        inputPos = 0;
        inputLen = n;
        return true;
      }
    }
  }

  private MalformedResultException corrupt(String detail) {
    return new MalformedResultException(fileName, 0, "gzip data is corrupt: " + detail);
  }
}
