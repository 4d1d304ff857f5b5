package io.executionpoller.results.parse;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.CharConversionException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Streaming reader for JSON results: either one top-level array of objects or a sequence of root
 * objects (NDJSON / JSON Lines, or objects simply concatenated). The keys of the first object are
 * the columns; later objects may leave keys out but not add new ones, since the rows end up as
 * records of a fixed shape.
 *
 * <p>Scalars keep their source text (numbers are not reparsed, so "1.10" stays "1.10"); nested
 * objects and arrays are served as their compact JSON text.
 */
public final class JsonRecordReader implements RecordReader {

  /** What a null costs against the record's budget: its length in the source. */
  private static final int NULL_CHARS = 4;

  private final JsonParser parser;
  private final String fileName;
  private final int maxRecordChars;
  private final JsonFactory factory;
  private final boolean topLevelArray;
  private final List<String> columns;
  private final Map<String, Integer> columnIndex;
  private final boolean[] seen;
  private String[] firstRecord;
  private long firstRecordLine;
  private boolean ended;
  private long lastRecordLine;
  private long recordChars;

  public JsonRecordReader(InputStream in, String fileName) throws IOException {
    this(in, fileName, CsvRecordReader.DEFAULT_MAX_RECORD_CHARS);
  }

  /**
   * Reads up to the end of the first object before returning, to learn the columns.
   *
   * @param maxRecordChars the most chars the values of one record may have together
   */
  public JsonRecordReader(InputStream in, String fileName, int maxRecordChars) throws IOException {
    Objects.requireNonNull(in, "in");
    this.fileName = Objects.requireNonNull(fileName, "fileName");
    if (maxRecordChars <= 0) {
      throw new IllegalArgumentException("maxRecordChars must be positive");
    }
    this.maxRecordChars = maxRecordChars;
    // Jackson's own cap on one string keeps a single huge value from being buffered whole.
    this.factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder().maxStringLength(maxRecordChars).build())
            .build();
    try {
      this.parser = factory.createParser(in);
      JsonToken first = parser.nextToken();
      if (first == null) {
        this.topLevelArray = false;
        this.columns = List.of();
        this.columnIndex = Map.of();
        this.seen = new boolean[0];
        this.ended = true;
        return;
      }
      if (first != JsonToken.START_ARRAY && first != JsonToken.START_OBJECT) {
        throw malformed(tokenLine(), "expected a JSON array or object, found " + describe(first));
      }
      this.topLevelArray = first == JsonToken.START_ARRAY;
      if (topLevelArray && !startNextObject()) {
        this.columns = List.of();
        this.columnIndex = Map.of();
        this.seen = new boolean[0];
        return;
      }
      firstRecordLine = tokenLine();
      List<String> names = new ArrayList<>();
      List<String> values = new ArrayList<>();
      Map<String, Integer> index = new HashMap<>();
      recordChars = 0;
      for (JsonToken t = parser.nextToken(); t != JsonToken.END_OBJECT; t = parser.nextToken()) {
        String name = parser.currentName();
        if (index.putIfAbsent(name, names.size()) != null) {
          throw malformed(tokenLine(), "duplicate key \"" + name + "\"");
        }
        charge(name.length());
        names.add(name);
        values.add(value(parser.nextToken()));
      }
      this.columns = Collections.unmodifiableList(names);
      this.columnIndex = index;
      this.seen = new boolean[names.size()];
      this.firstRecord = values.toArray(new String[0]);
    } catch (JsonProcessingException | CharConversionException e) {
      throw malformed(e);
    }
  }

  @Override
  public List<String> columns() {
    return columns;
  }

  @Override
  public String[] next() throws IOException {
    if (firstRecord != null) {
      String[] record = firstRecord;
      firstRecord = null;
      lastRecordLine = firstRecordLine;
      return record;
    }
    if (ended) {
      return null;
    }
    try {
      if (topLevelArray) {
        if (!startNextObject()) {
          return null;
        }
      } else {
        JsonToken t = parser.nextToken();
        if (t == null) {
          ended = true;
          return null;
        }
        if (t != JsonToken.START_OBJECT) {
          throw malformed(tokenLine(), "expected an object, found " + describe(t));
        }
      }
      long line = tokenLine();
      String[] record = readObject();
      lastRecordLine = line;
      return record;
    } catch (JsonProcessingException | CharConversionException e) {
      throw malformed(e);
    }
  }

  @Override
  public long line() {
    return lastRecordLine;
  }

  @Override
  public void close() throws IOException {
    if (parser != null) {
      parser.close();
    }
  }

  /**
   * Inside the top-level array: moves onto the next element's START_OBJECT, or checks that nothing
   * but whitespace follows the closing bracket and returns false.
   */
  private boolean startNextObject() throws IOException {
    JsonToken t = parser.nextToken();
    if (t == JsonToken.END_ARRAY) {
      ended = true;
      long line = parser.currentLocation().getLineNr();
      JsonToken after;
      try {
        after = parser.nextToken();
      } catch (JsonProcessingException e) {
        throw malformed(lineOf(e, line), "content after the closing ]");
      }
      if (after != null) {
        throw malformed(tokenLine(), "content after the closing ]");
      }
      return false;
    }
    if (t != JsonToken.START_OBJECT) {
      throw malformed(tokenLine(), "array element is not an object: found " + describe(t));
    }
    return true;
  }

  /** Reads the rest of an object whose START_OBJECT is the current token. */
  private String[] readObject() throws IOException {
    String[] record = new String[columns.size()];
    Arrays.fill(seen, false);
    recordChars = 0;
    for (JsonToken t = parser.nextToken(); t != JsonToken.END_OBJECT; t = parser.nextToken()) {
      String name = parser.currentName();
      Integer i = columnIndex.get(name);
      if (i == null) {
        throw malformed(
            tokenLine(), "key \"" + name + "\" not among the columns of the first object");
      }
      if (seen[i]) {
        throw malformed(tokenLine(), "duplicate key \"" + name + "\"");
      }
      seen[i] = true;
      charge(name.length());
      record[i] = value(parser.nextToken());
    }
    return record;
  }

  private String value(JsonToken t) throws IOException {
    if (t == null) {
      throw malformed(parser.currentLocation().getLineNr(), "unexpected end of input");
    }
    String text;
    switch (t) {
      case VALUE_STRING:
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        text = parser.getText();
        break;
      case VALUE_TRUE:
        text = "true";
        break;
      case VALUE_FALSE:
        text = "false";
        break;
      case VALUE_NULL:
        // Costs what it takes in the source, like a null inside a nested value.
        charge(NULL_CHARS);
        return null;
      case START_OBJECT:
      case START_ARRAY:
        text = nested();
        break;
      default:
        throw malformed(tokenLine(), "unexpected " + describe(t));
    }
    charge(text.length());
    return text;
  }

  /**
   * Counts {@code chars} against the record's budget. Keys and nulls count too: they carry no value
   * text, yet each becomes a column or a stored field, so a record of a million of them must not
   * pass as empty.
   */
  private void charge(int chars) throws MalformedResultException {
    recordChars += chars;
    if (recordChars > maxRecordChars) {
      throw tooLong();
    }
  }

  /** Re-serialises the structure starting at the current token as compact JSON, within budget. */
  private String nested() throws IOException {
    long line = tokenLine();
    BoundedWriter out = new BoundedWriter(maxRecordChars - recordChars);
    try (JsonGenerator g = factory.createGenerator(out)) {
      int depth = 0;
      JsonToken t = parser.currentToken();
      do {
        switch (t) {
          case START_OBJECT:
            g.writeStartObject();
            depth++;
            break;
          case START_ARRAY:
            g.writeStartArray();
            depth++;
            break;
          case END_OBJECT:
            g.writeEndObject();
            depth--;
            break;
          case END_ARRAY:
            g.writeEndArray();
            depth--;
            break;
          case FIELD_NAME:
            g.writeFieldName(parser.currentName());
            break;
          case VALUE_STRING:
            g.writeString(
                parser.getTextCharacters(), parser.getTextOffset(), parser.getTextLength());
            break;
          case VALUE_NUMBER_INT:
          case VALUE_NUMBER_FLOAT:
            // Written as the source text so that no precision or notation is changed.
            g.writeNumber(parser.getText());
            break;
          case VALUE_TRUE:
          case VALUE_FALSE:
            g.writeBoolean(t == JsonToken.VALUE_TRUE);
            break;
          case VALUE_NULL:
            g.writeNull();
            break;
          default:
            throw malformed(tokenLine(), "unexpected " + describe(t));
        }
        if (depth > 0) {
          t = parser.nextToken();
        }
      } while (depth > 0);
    } catch (BoundedWriter.Full e) {
      throw malformed(line, "record longer than " + maxRecordChars + " characters");
    }
    return out.toString();
  }

  private long tokenLine() {
    return parser.currentTokenLocation().getLineNr();
  }

  private MalformedResultException tooLong() {
    return malformed(tokenLine(), "record longer than " + maxRecordChars + " characters");
  }

  private MalformedResultException malformed(long line, String detail) {
    return new MalformedResultException(fileName, Math.max(line, 0), detail);
  }

  private MalformedResultException malformed(IOException e) {
    long fallback = parser == null ? 0 : parser.currentLocation().getLineNr();
    String detail =
        e instanceof JsonProcessingException
            ? ((JsonProcessingException) e).getOriginalMessage()
            : e.getMessage();
    return new MalformedResultException(
        fileName, Math.max(lineOf(e, fallback), 0), "invalid JSON: " + detail, e);
  }

  private static long lineOf(IOException e, long fallback) {
    if (e instanceof JsonProcessingException) {
      JsonLocation location = ((JsonProcessingException) e).getLocation();
      if (location != null && location.getLineNr() > 0) {
        return location.getLineNr();
      }
    }
    return fallback;
  }

  private static String describe(JsonToken t) {
    if (t == null) {
      return "end of input";
    }
    switch (t) {
      case START_ARRAY:
        return "an array";
      case START_OBJECT:
        return "an object";
      case VALUE_STRING:
        return "a string";
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        return "a number";
      case VALUE_TRUE:
      case VALUE_FALSE:
        return "a boolean";
      case VALUE_NULL:
        return "null";
      default:
        return t.toString();
    }
  }

  /** Collects generated JSON and refuses to grow past the record's remaining budget. */
  private static final class BoundedWriter extends Writer {
    private final StringBuilder text = new StringBuilder();
    private final long budget;

    BoundedWriter(long budget) {
      this.budget = budget;
    }

    @Override
    public void write(char[] cbuf, int off, int len) throws IOException {
      if (text.length() + (long) len > budget) {
        throw new Full();
      }
      text.append(cbuf, off, len);
    }

    @Override
    public void write(String str, int off, int len) throws IOException {
      if (text.length() + (long) len > budget) {
        throw new Full();
      }
      text.append(str, off, off + len);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}

    @Override
    public String toString() {
      return text.toString();
    }

    /** Thrown through the generator to stop it; never escapes the reader. */
    static final class Full extends IOException {
      private static final long serialVersionUID = 1L;
    }
  }
}
