package io.executionpoller.results.parse;

import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The content of one result file as read from its transport stream: decompressed when it is gzip,
 * counted, hashed and guarded against oversized or bomb-like input.
 *
 * <p>Every content byte passes through {@link #read(byte[], int, int)} once, so the counts, the
 * SHA-256 and the {@link ByteTap} all see exactly what the consumer sees, in the same order.
 */
public final class ContentStream extends InputStream {

  /**
   * Size guards for one file.
   *
   * @param maxContentBytes the most content (decompressed) bytes allowed
   * @param maxRawBytes the most bytes allowed from the transport
   * @param maxExpansionRatio the most content bytes per raw byte a gzip stream may expand to
   * @param ratioGraceBytes content size below which the ratio is not checked, since tiny or highly
   *     repetitive files legitimately compress very well
   */
  public record Limits(
      long maxContentBytes, long maxRawBytes, int maxExpansionRatio, long ratioGraceBytes) {
    public Limits {
      if (maxContentBytes <= 0 || maxRawBytes <= 0 || maxExpansionRatio <= 0) {
        throw new IllegalArgumentException(
            "maxContentBytes, maxRawBytes and maxExpansionRatio must be positive");
      }
      if (ratioGraceBytes < 0) {
        throw new IllegalArgumentException("ratioGraceBytes must not be negative");
      }
    }
  }

  /** Sees every content byte, in order, exactly once, as the consumer reads it. */
  @FunctionalInterface
  public interface ByteTap {
    void accept(byte[] buf, int off, int len) throws IOException;
  }

  private static final int GZIP_MAGIC_1 = 0x1f;
  private static final int GZIP_MAGIC_2 = 0x8b;

  private final RawCounter raw;
  private final InputStream source;
  private final boolean gzipped;
  private final Limits limits;
  private final ByteTap tap;
  private final String fileName;
  private final MessageDigest sha256;
  private final byte[] single = new byte[1];
  private long contentBytes;
  private boolean ended;
  private String sha256Hex;

  private ContentStream(
      RawCounter raw,
      InputStream source,
      boolean gzipped,
      Limits limits,
      ByteTap tap,
      String fileName) {
    this.raw = raw;
    this.source = source;
    this.gzipped = gzipped;
    this.limits = limits;
    this.tap = tap;
    this.fileName = fileName;
    try {
      this.sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime must provide SHA-256", e);
    }
  }

  /**
   * Opens the content of one file. Peeks at the first two bytes to recognise gzip that the
   * transport did not declare (S3 objects uploaded without Content-Encoding).
   *
   * @param raw the transport stream; closed by {@link #close()}
   * @param declaredGzip whether the transport declared the body gzip (it is then decompressed even
   *     without the magic bytes, and must be valid gzip)
   * @param tap receives the content bytes; a no-op lambda when nothing needs them
   * @param fileName names the file in exception messages
   */
  public static ContentStream open(
      InputStream raw, boolean declaredGzip, Limits limits, ByteTap tap, String fileName)
      throws IOException {
    Objects.requireNonNull(raw, "raw");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(tap, "tap");
    Objects.requireNonNull(fileName, "fileName");
    RawCounter counter = new RawCounter(raw, limits.maxRawBytes(), fileName);
    PushbackInputStream peekable = new PushbackInputStream(counter, 2);
    byte[] head = new byte[2];
    int n = 0;
    while (n < head.length) {
      int r = peekable.read(head, n, head.length - n);
      if (r < 0) {
        break;
      }
      n += r;
    }
    peekable.unread(head, 0, n);
    boolean magic = n == 2 && (head[0] & 0xff) == GZIP_MAGIC_1 && (head[1] & 0xff) == GZIP_MAGIC_2;
    // An empty body has no gzip members to decode, whatever was declared.
    boolean gzip = n > 0 && (declaredGzip || magic);
    InputStream source = gzip ? new GunzipInputStream(peekable, fileName) : peekable;
    return new ContentStream(counter, source, gzip, limits, tap, fileName);
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
    if (ended) {
      return -1;
    }
    // Ask for at most one byte past the limit: enough to tell "at the limit" from "over it".
    int want = (int) Math.min(len, limits.maxContentBytes() - contentBytes + 1);
    int n = source.read(b, off, want);
    if (n < 0) {
      ended = true;
      sha256Hex = HexFormat.of().formatHex(sha256.digest());
      return -1;
    }
    contentBytes += n;
    if (contentBytes > limits.maxContentBytes()) {
      throw new ResultTooLargeException(
          fileName
              + ": content exceeds the limit of "
              + limits.maxContentBytes()
              + " bytes (maxContentBytes)",
          limits.maxContentBytes());
    }
    if (gzipped && contentBytes > limits.ratioGraceBytes() && expandedTooFar()) {
      throw new ResultTooLargeException(
          fileName
              + ": gzip data expanded beyond "
              + limits.maxExpansionRatio()
              + "x ("
              + contentBytes
              + " content bytes from "
              + raw.count
              + " raw bytes; maxExpansionRatio), likely a decompression bomb",
          limits.maxExpansionRatio());
    }
    sha256.update(b, off, n);
    tap.accept(b, off, n);
    return n;
  }

  private boolean expandedTooFar() {
    long ratio = limits.maxExpansionRatio();
    // A raw count this large cannot be exceeded by a ratio, and multiplying it would overflow.
    return raw.count <= Long.MAX_VALUE / ratio && contentBytes > raw.count * ratio;
  }

  @Override
  public void close() throws IOException {
    source.close();
  }

  public long rawBytes() {
    return raw.count;
  }

  public long contentBytes() {
    return contentBytes;
  }

  public boolean gzipped() {
    return gzipped;
  }

  /**
   * The lowercase hex SHA-256 of the content.
   *
   * @throws IllegalStateException before the content has been read to its end, when a hash would
   *     silently describe only part of the file
   */
  public String sha256Hex() {
    if (sha256Hex == null) {
      throw new IllegalStateException("content of " + fileName + " has not been read to its end");
    }
    return sha256Hex;
  }

  /** Counts transport bytes and stops the transfer once it passes the raw limit. */
  private static final class RawCounter extends InputStream {
    private final InputStream in;
    private final long max;
    private final String fileName;
    long count;

    RawCounter(InputStream in, long max, String fileName) {
      this.in = in;
      this.max = max;
      this.fileName = fileName;
    }

    private final byte[] single = new byte[1];

    @Override
    public int read() throws IOException {
      int n = read(single, 0, 1);
      return n < 0 ? -1 : single[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      int n = in.read(b, off, (int) Math.min(len, max - count + 1));
      if (n > 0) {
        count += n;
        if (count > max) {
          throw new ResultTooLargeException(
              fileName + ": transfer exceeds the limit of " + max + " raw bytes (maxRawBytes)",
              max);
        }
      }
      return n;
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
