package io.executionpoller.results.parse;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Streaming, strict RFC 4180 reader. The first record is the header.
 *
 * <p>Memory stays constant in the file size: bytes are decoded block by block into one reusable
 * char buffer, and only the current record is held. A single record may span blocks, so it is
 * capped at {@code maxRecordChars} to keep a file without line breaks (or with an unterminated
 * quote) from exhausting the heap.
 *
 * <p>The parser is a hand-written state machine over that char buffer rather than a per-char {@code
 * Reader.read()} loop: the scans below are tight array loops the JIT compiles well, and a field
 * that lies wholly inside one block becomes a String with a single copy.
 */
public final class CsvRecordReader implements RecordReader {

  static final int DEFAULT_MAX_RECORD_CHARS = 16 * 1024 * 1024;
  private static final int BLOCK_SIZE = 64 * 1024;
  // A field builder grown past this by one huge field is dropped afterwards rather than kept.
  private static final int RETAINED_FIELD_CAPACITY = 1024 * 1024;
  private static final char BOM = '\uFEFF';

  private final InputStream in;
  private final String fileName;
  private final char separator;
  private final char quote;
  // Every char above these is ordinary, so most chars cost one comparison in the scans.
  private final char maxSpecialUnquoted;
  private final char maxSpecialQuoted;
  private final int maxRecordChars;

  private final CharsetDecoder decoder =
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);
  private final ByteBuffer bytes = ByteBuffer.allocate(BLOCK_SIZE).flip();
  private final char[] buf = new char[BLOCK_SIZE];
  private final CharBuffer chars = CharBuffer.wrap(buf);
  private boolean inputEnded;
  private boolean decodedAll;
  // Invalid bytes are reported only once the parser reaches them, so the error names their line.
  private String pendingDecodeError;
  private int pos;
  private int limit;
  // Lets a LF at the start of a block see whether the previous block ended in CR.
  private char lastCharOfPreviousBlock;

  private StringBuilder field = new StringBuilder();
  private String[] values = new String[16];

  /** The header's field count once read; read per field, so kept out of the List. */
  private int width = Integer.MAX_VALUE;

  private int fieldCount;
  private long recordChars;
  private long line = 1;
  private long recordLine;
  private boolean skipLf;
  private long lastRecordLine;
  private final List<String> columns;

  public CsvRecordReader(InputStream in, CsvFormat format, String fileName) throws IOException {
    this(in, format, fileName, DEFAULT_MAX_RECORD_CHARS);
  }

  /**
   * Reads the header before returning.
   *
   * @param maxRecordChars the most chars one record (fields plus one per separator) may have
   * @throws MalformedResultException when the header is malformed, empty-named or duplicated
   */
  public CsvRecordReader(InputStream in, CsvFormat format, String fileName, int maxRecordChars)
      throws IOException {
    this.in = Objects.requireNonNull(in, "in");
    this.fileName = Objects.requireNonNull(fileName, "fileName");
    if (maxRecordChars <= 0) {
      throw new IllegalArgumentException("maxRecordChars must be positive");
    }
    this.maxRecordChars = maxRecordChars;
    this.separator = format.separator();
    this.quote = format.quote();
    this.maxSpecialQuoted = max(quote, max('\r', '\n'));
    this.maxSpecialUnquoted = max(separator, maxSpecialQuoted);

    if (fill() && buf[0] == BOM) {
      pos = 1;
    }
    this.columns = readRecord() ? header() : List.of();
    this.width = columns.size();
  }

  @Override
  public List<String> columns() {
    return columns;
  }

  @Override
  public String[] next() throws IOException {
    if (columns.isEmpty() || !readRecord()) {
      return null;
    }
    if (fieldCount != width) {
      throw malformed(
          recordLine,
          "ragged row: " + fieldCount + " fields where the header has " + columns.size());
    }
    lastRecordLine = recordLine;
    return Arrays.copyOf(values, fieldCount);
  }

  @Override
  public long line() {
    return lastRecordLine;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }

  private List<String> header() throws MalformedResultException {
    String[] names = Arrays.copyOf(values, fieldCount);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < names.length; i++) {
      if (names[i].isEmpty()) {
        throw malformed(recordLine, "empty column name at position " + (i + 1));
      }
      // Rows are served as JSON objects keyed by column, where a duplicate would lose a value.
      if (!seen.add(names[i])) {
        throw malformed(recordLine, "duplicate column name \"" + names[i] + "\"");
      }
    }
    lastRecordLine = recordLine;
    return Collections.unmodifiableList(Arrays.asList(names));
  }

  /** Reads one record into {@link #values}; false when the content has ended. */
  private boolean readRecord() throws IOException {
    if (pos >= limit && !fill()) {
      return false;
    }
    if (skipLf) {
      // The previous record ended in CR; a LF right after it belongs to the same line break.
      skipLf = false;
      if (buf[pos] == '\n') {
        pos++;
        if (pos >= limit && !fill()) {
          return false;
        }
      }
    }
    recordLine = line;
    fieldCount = 0;
    recordChars = 0;
    while (!readField()) {
      // each call consumes one field and its separator
    }
    return true;
  }

  /** Reads one field; true when it was the last field of its record. */
  private boolean readField() throws IOException {
    if (pos >= limit && !fill()) {
      addValue(""); // the content ended right after a separator
      return true;
    }
    return buf[pos] == quote ? readQuoted() : readUnquoted();
  }

  private boolean readUnquoted() throws IOException {
    final char[] b = buf;
    final char sep = separator;
    final char max = maxSpecialUnquoted;
    int start = pos;
    boolean spilled = false;
    for (; ; ) {
      int p = pos;
      final int lim = limit;
      while (p < lim) {
        char c = b[p];
        if (c > max) {
          p++;
        } else if (c == sep) {
          endField(start, p, spilled);
          pos = p + 1;
          return false;
        } else if (c == '\n') {
          endField(start, p, spilled);
          pos = p + 1;
          line++;
          return true;
        } else if (c == '\r') {
          endField(start, p, spilled);
          pos = p + 1;
          line++;
          skipLf = true;
          return true;
        } else if (c == quote) {
          pos = p;
          throw malformed(line, "quote character inside an unquoted field");
        } else {
          p++;
        }
      }
      spill(start, p);
      spilled = true;
      pos = p;
      if (!fill()) {
        endField(0, 0, true);
        return true;
      }
      start = 0;
    }
  }

  private boolean readQuoted() throws IOException {
    final long quoteLine = line;
    final char[] b = buf;
    final char q = quote;
    final char max = maxSpecialQuoted;
    pos++; // the opening quote
    int start = pos;
    boolean spilled = false;
    for (; ; ) {
      int p = pos;
      final int lim = limit;
      while (p < lim) {
        char c = b[p];
        if (c > max) {
          p++;
        } else if (c == q) {
          if (p + 1 < lim) {
            if (b[p + 1] == q) {
              // A doubled quote stands for one literal quote: keep the first, skip the second.
              spill(start, p + 1);
              spilled = true;
              p += 2;
              start = p;
              continue;
            }
            endField(start, p, spilled);
            pos = p + 1;
            return afterClosingQuote();
          }
          // The quote is the block's last char, so what it means depends on the next block.
          spill(start, p);
          pos = p + 1;
          if (!fill()) {
            endField(0, 0, true);
            return true;
          }
          if (buf[0] == q) {
            field.append(q);
            pos = 1;
            start = 1;
            spilled = true;
            p = 1;
            break;
          }
          endField(0, 0, true);
          return afterClosingQuote();
        } else if (c == '\r') {
          line++;
          p++;
        } else if (c == '\n') {
          if ((p > 0 ? b[p - 1] : lastCharOfPreviousBlock) != '\r') {
            line++;
          }
          p++;
        } else {
          p++;
        }
      }
      if (p < limit) {
        continue; // restarted after a doubled quote split across blocks
      }
      spill(start, p);
      spilled = true;
      pos = p;
      if (!fill()) {
        throw malformed(quoteLine, "unterminated quoted field starting at line " + quoteLine);
      }
      start = 0;
    }
  }

  private boolean afterClosingQuote() throws IOException {
    if (pos >= limit && !fill()) {
      return true;
    }
    char c = buf[pos];
    if (c == separator) {
      pos++;
      return false;
    }
    if (c == '\n') {
      pos++;
      line++;
      return true;
    }
    if (c == '\r') {
      pos++;
      line++;
      skipLf = true;
      return true;
    }
    throw malformed(line, "unexpected character '" + c + "' after a closing quote");
  }

  /** Moves a field's chars out of the block before the block is overwritten. */
  private void spill(int start, int end) throws MalformedResultException {
    field.append(buf, start, end - start);
    if (recordChars + field.length() > maxRecordChars) {
      throw tooLong();
    }
  }

  private void endField(int start, int end, boolean spilled) throws MalformedResultException {
    String value;
    if (spilled) {
      field.append(buf, start, end - start);
      value = field.toString();
      if (field.capacity() > RETAINED_FIELD_CAPACITY) {
        field = new StringBuilder();
      } else {
        field.setLength(0);
      }
    } else {
      value = new String(buf, start, end - start);
    }
    addValue(value);
  }

  private void addValue(String value) throws MalformedResultException {
    // +1 for the separator, so that a run of empty fields is bounded too.
    recordChars += value.length() + 1;
    if (recordChars > maxRecordChars + 1L) {
      throw tooLong();
    }
    // Past the header's width the row is ragged anyway; count the fields but hold no more.
    if (fieldCount < width) {
      if (fieldCount == values.length) {
        values = Arrays.copyOf(values, fieldCount * 2);
      }
      values[fieldCount] = value;
    }
    fieldCount++;
  }

  /**
   * Decodes the next block into {@link #buf}, resetting {@link #pos} and {@link #limit}; false when
   * no chars are left.
   */
  private boolean fill() throws IOException {
    if (limit > 0) {
      lastCharOfPreviousBlock = buf[limit - 1];
    }
    pos = 0;
    limit = 0;
    if (pendingDecodeError != null) {
      throw malformed(line, pendingDecodeError);
    }
    if (decodedAll) {
      return false;
    }
    chars.clear();
    for (; ; ) {
      CoderResult result = decoder.decode(bytes, chars, inputEnded);
      if (result.isError()) {
        String message = "invalid UTF-8 byte sequence";
        if (chars.position() == 0) {
          throw malformed(line, message);
        }
        pendingDecodeError = message;
        break;
      }
      if (result.isOverflow()) {
        break;
      }
      if (inputEnded) {
        decoder.flush(chars);
        decodedAll = true;
        break;
      }
      if (chars.position() > 0) {
        break; // hand over what is decoded rather than block on the stream for more
      }
      bytes.compact();
      int n = in.read(bytes.array(), bytes.position(), bytes.remaining());
      if (n < 0) {
        inputEnded = true;
      } else {
        bytes.position(bytes.position() + n);
      }
      bytes.flip();
    }
    limit = chars.position();
    return limit > 0;
  }

  private MalformedResultException tooLong() {
    return malformed(recordLine, "record longer than " + maxRecordChars + " characters");
  }

  private MalformedResultException malformed(long atLine, String detail) {
    return new MalformedResultException(fileName, atLine, detail);
  }

  private static char max(char a, char b) {
    return a > b ? a : b;
  }
}
