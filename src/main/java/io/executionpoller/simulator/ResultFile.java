package io.executionpoller.simulator;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One file of a simulated result as the S3 side serves it: where its plain bytes come from, its
 * name, its Content-Type and whether it travels gzip-compressed. Generated rows are rendered while
 * they are sent, so a file of any size costs the simulator no memory.
 *
 * @param name the last part of the S3 key; null takes {@code part-NNNNN} from the file's position
 *     in its result, with an extension that follows the content type
 * @param contentType the Content-Type of the plain bytes (MAGIC_ONLY hides it)
 * @param content where the plain bytes come from
 * @param gzip whether and how the bytes are compressed on the wire
 */
public record ResultFile(String name, String contentType, Content content, GzipMode gzip) {

  /** How a file's bytes travel. */
  public enum GzipMode {
    /** Plain bytes with a Content-Length. */
    NONE,
    /** Gzip bytes announced by Content-Encoding: gzip; HTTP clients may inflate them silently. */
    CONTENT_ENCODING,
    /**
     * Gzip bytes served as application/octet-stream with no header saying so, as an object stored
     * compressed comes out of S3: only the 1f 8b magic at the start tells.
     */
    MAGIC_ONLY
  }

  /** The row layouts of generated CSV files. */
  public enum Shape {
    /** The demo layout: four columns, CRLF line ends. */
    DEMO(new DemoRows()),
    /** An AMC-like layout: ten columns, about 100 to 120 bytes a row, LF line ends. */
    WIDE(new WideRows());

    private final RowFormat format;

    Shape(RowFormat format) {
      this.format = format;
    }

    RowFormat format() {
      return format;
    }
  }

  /** Where the plain bytes of a file come from. */
  public sealed interface Content permits Rows, Bytes, OnDisk {}

  /** A header and {@code count} rows rendered from their row numbers (1 to count). */
  public record Rows(Shape shape, long count) implements Content {
    public Rows {
      Objects.requireNonNull(shape, "shape");
      if (count < 0) {
        throw new IllegalArgumentException("rows must not be negative: " + count);
      }
    }
  }

  /** Exact bytes, kept as given. */
  public record Bytes(byte[] bytes) implements Content {
    public Bytes {
      bytes = Objects.requireNonNull(bytes, "bytes").clone();
    }

    @Override
    public byte[] bytes() {
      return bytes.clone();
    }

    /** Without the copy of {@link #bytes()}: the sender only reads them. */
    byte[] shared() {
      return bytes;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Bytes that && Arrays.equals(bytes, that.bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      return "Bytes[" + bytes.length + " bytes]";
    }
  }

  /** A file on this machine, read when served. */
  public record OnDisk(Path path) implements Content {
    public OnDisk {
      Objects.requireNonNull(path, "path");
    }
  }

  static final String CSV = "text/csv";
  private static final String OCTET_STREAM = "application/octet-stream";

  /** Names travel unescaped in URL paths and signatures, so they keep to URL-safe characters. */
  private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

  public ResultFile {
    Objects.requireNonNull(content, "content");
    contentType = contentType == null ? CSV : contentType;
    gzip = gzip == null ? GzipMode.NONE : gzip;
    if (name != null && !SAFE_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("file names use letters, digits, '.', '_', '-': " + name);
    }
  }

  /** The demo CSV: campaign_id,campaign_name,impressions,clicks with a quoted, comma-laden name. */
  public static ResultFile generated(long rows) {
    return new ResultFile(null, CSV, new Rows(Shape.DEMO, rows), GzipMode.NONE);
  }

  /** An AMC-like CSV of ten columns: ids, a date, quoted text, integers and a decimal. */
  public static ResultFile wide(long rows) {
    return new ResultFile(null, CSV, new Rows(Shape.WIDE, rows), GzipMode.NONE);
  }

  /**
   * Exactly these bytes (malformed CSV, JSON, NDJSON, a BOM...). A null name takes the positional
   * name with an extension by content type: .json, .ndjson, else .csv.
   */
  public static ResultFile literal(String name, byte[] bytes, String contentType) {
    return new ResultFile(name, contentType, new Bytes(bytes), GzipMode.NONE);
  }

  /**
   * The bytes of a file on disk. Served plain and without a fault it goes out with sendFile, so
   * even a 1 GiB file costs the simulator next to no CPU; gzip or a fault streams it instead.
   */
  public static ResultFile onDisk(Path path, String contentType) {
    return new ResultFile(null, contentType, new OnDisk(path), GzipMode.NONE);
  }

  /** The same file, compressed on the wire as {@code mode} says. */
  public ResultFile withGzip(GzipMode mode) {
    return new ResultFile(name, contentType, content, mode);
  }

  /** The Content-Type on the wire: MAGIC_ONLY hides what the compressed bytes hold. */
  String servedContentType() {
    return gzip == GzipMode.MAGIC_ONLY ? OCTET_STREAM : contentType;
  }

  /**
   * The files with every name filled in from their positions; refuses two files of one name, since
   * the S3 route finds a file by its name.
   */
  static List<ResultFile> named(List<ResultFile> files) {
    List<ResultFile> named = new ArrayList<>(files.size());
    Set<String> seen = new HashSet<>();
    for (int index = 0; index < files.size(); index++) {
      ResultFile file = Objects.requireNonNull(files.get(index), "file " + index);
      String name =
          file.name != null
              ? file.name
              : String.format(Locale.ROOT, "part-%05d%s", index, extension(file.contentType));
      if (!seen.add(name)) {
        throw new IllegalArgumentException("two result files are named " + name);
      }
      named.add(new ResultFile(name, file.contentType, file.content, file.gzip));
    }
    return List.copyOf(named);
  }

  private static String extension(String contentType) {
    String type = contentType.toLowerCase(Locale.ROOT);
    if (type.contains("ndjson")) {
      return ".ndjson";
    }
    return type.contains("json") ? ".json" : ".csv";
  }
}
