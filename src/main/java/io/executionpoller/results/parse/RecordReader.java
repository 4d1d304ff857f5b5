package io.executionpoller.results.parse;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;

/**
 * A pull reader over the (already decompressed) content of one result file. Implementations keep
 * memory constant in the size of the file: only the current record is held.
 */
public interface RecordReader extends Closeable {

  /**
   * The column names, known as soon as the reader is constructed. An empty file has no columns and
   * no records.
   */
  List<String> columns();

  /**
   * The next record, one value per column in the order of {@link #columns()} (a value may be null
   * where the format can express null), or null when there are no more records.
   *
   * @throws MalformedResultException when the content is not valid for the format
   */
  String[] next() throws IOException;

  /** The 1-based line on which the record last returned by {@link #next()} started. */
  long line();
}
