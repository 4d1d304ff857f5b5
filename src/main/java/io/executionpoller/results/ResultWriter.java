package io.executionpoller.results;

import io.executionpoller.crashpoint.CrashPoint;
import io.executionpoller.crashpoint.CrashPoints;
import io.executionpoller.db.StoredText;
import io.executionpoller.execution.EventRows;
import io.executionpoller.execution.EventType;
import io.executionpoller.results.parse.ResultFormat;
import java.io.IOException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;

/**
 * Stores one result inside one database transaction: each file as segments of rows and original
 * bytes through one binary COPY, a row per file, and finally the STORED status. Nothing is visible
 * before the commit, and a crash at any point rolls all of it back, so a result is stored whole,
 * once, or not at all. Each file starts at a savepoint so a truncated transfer can be repeated
 * without a trace. Memory holds about one segment and one buffer of encoded tuples.
 */
final class ResultWriter implements AutoCloseable {

  /** Shown in pg_stat_activity while a result is being stored, so operators can tell. */
  static final String APPLICATION_NAME = "execution-poller result writer";

  private static final String COPY_SEGMENTS =
      "COPY result_segments (execution_id, file_index, segment, first_row, row_count, fields, data)"
          + " FROM STDIN (FORMAT binary)";

  private static final String INSERT_FILE =
      """
      INSERT INTO result_files
             (execution_id, file_index, name, format, content_type, gzipped, columns, first_row,
              row_count, byte_size, sha256, segment_count)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      """;

  private static final String MARK_STORED =
      """
      UPDATE execution_results
         SET status = 'STORED', file_count = ?, row_count = ?, byte_size = ?, columns = ?,
             stored_at = ?, updated_at = ?, lease_owner = NULL, lease_expires_at = NULL,
             last_error = NULL, last_error_at = NULL, error_type = NULL
       WHERE execution_id = ? AND status = 'DOWNLOADING' AND lease_owner = ? AND attempts = ?
      """;

  private static final String FILL_EXECUTION =
      """
      UPDATE workflow_executions
         SET result_rows = ?, result_size_bytes = ?,
             execution_duration = COALESCE(execution_duration,
                 CAST(EXTRACT(EPOCH FROM completed_at - started_at) AS INTEGER)),
             updated_at = ?
       WHERE id = ?
      """;

  /** Encoded tuples are handed to COPY once this many bytes have gathered. */
  private static final int FLUSH_BYTES = 256 * 1024;

  private final Connection connection;
  private final CopyManager copyManager;
  private final UUID executionId;
  private final SegmentEncoder encoder;
  private final String previousApplicationName;
  private final CrashPoints crashPoints;

  private CopyIn copy;
  private Savepoint fileStart;
  private int fileIndex;
  private long rowNumber;
  private long fileFirstRow;

  ResultWriter(Connection connection, UUID executionId, CrashPoints crashPoints)
      throws SQLException {
    this.connection = connection;
    this.crashPoints = crashPoints;
    this.copyManager = connection.unwrap(PGConnection.class).getCopyAPI();
    this.executionId = executionId;
    this.encoder = new SegmentEncoder(executionId);
    this.previousApplicationName = connection.getClientInfo("ApplicationName");
    connection.setClientInfo("ApplicationName", APPLICATION_NAME);
    connection.setAutoCommit(false);
  }

  /** Begins file {@code index}; its rows continue the result-wide numbering. */
  void startFile(int index) throws SQLException {
    fileIndex = index;
    fileStart = connection.setSavepoint();
    fileFirstRow = rowNumber + 1;
    encoder.startFile(index, fileFirstRow);
  }

  /** Receives the file's original bytes as they are read (the parser's input tap). */
  void originalBytes(byte[] bytes, int offset, int length) throws IOException {
    encoder.data(bytes, offset, length);
    flushIfFull();
  }

  void row(String[] fields) throws IOException {
    rowNumber++;
    encoder.row(fields);
    flushIfFull();
  }

  /** Ends the current file and records it; returns the number of rows it had. */
  long endFile(StoredFile file) throws IOException, SQLException {
    encoder.closeSegment();
    endCopy();
    long rows = rowNumber - fileFirstRow + 1;
    try (PreparedStatement insert = connection.prepareStatement(INSERT_FILE)) {
      insert.setObject(1, executionId);
      insert.setInt(2, fileIndex);
      insert.setString(3, StoredText.of(file.name()));
      insert.setString(4, file.format().name());
      insert.setString(5, file.contentType());
      insert.setBoolean(6, file.gzipped());
      insert.setArray(7, textArray(file.columns()));
      insert.setLong(8, fileFirstRow);
      insert.setLong(9, rows);
      insert.setLong(10, file.byteSize());
      insert.setString(11, file.sha256());
      insert.setInt(12, encoder.segments());
      insert.executeUpdate();
    }
    connection.releaseSavepoint(fileStart);
    fileStart = null;
    return rows;
  }

  /**
   * Forgets everything written for the current file, so it can be fetched again; nothing to do when
   * the file never started (its transfer failed before the first byte).
   */
  void discardFile() throws SQLException {
    if (fileStart == null) {
      return;
    }
    if (copy != null && copy.isActive()) {
      copy.cancelCopy();
    }
    copy = null;
    encoder.discard();
    connection.rollback(fileStart);
    fileStart = null;
    rowNumber = fileFirstRow - 1;
  }

  /**
   * Marks the result STORED and commits, if this attempt still holds the lease; otherwise rolls
   * everything back and returns false (another replica owns the result now).
   */
  boolean commit(StoredResult result, String owner, int attempt, Instant now, String event)
      throws SQLException {
    Timestamp at = Timestamp.from(now);
    try (PreparedStatement mark = connection.prepareStatement(MARK_STORED)) {
      mark.setInt(1, result.fileCount());
      mark.setLong(2, rowNumber);
      mark.setLong(3, result.byteSize());
      mark.setArray(4, textArray(result.columns()));
      mark.setTimestamp(5, at);
      mark.setTimestamp(6, at);
      mark.setObject(7, executionId);
      mark.setString(8, owner);
      mark.setInt(9, attempt);
      if (mark.executeUpdate() != 1) {
        connection.rollback();
        return false;
      }
    }
    try (PreparedStatement fill = connection.prepareStatement(FILL_EXECUTION)) {
      fill.setLong(1, rowNumber);
      fill.setLong(2, result.byteSize());
      fill.setTimestamp(3, at);
      fill.setObject(4, executionId);
      fill.executeUpdate();
    }
    EventRows.insert(connection, executionId, now, EventType.RESULT_STORED, event, owner);
    crashPoints.reached(CrashPoint.BEFORE_RESULT_COMMIT, executionId);
    connection.commit();
    return true;
  }

  long rowsWritten() {
    return rowNumber;
  }

  @Override
  public void close() throws SQLException {
    try {
      if (copy != null && copy.isActive()) {
        copy.cancelCopy();
      }
      if (!connection.isClosed()) {
        if (!connection.getAutoCommit()) {
          connection.rollback();
          connection.setAutoCommit(true);
        }
        connection.setClientInfo("ApplicationName", previousApplicationName);
      }
    } finally {
      connection.close();
    }
  }

  private void flushIfFull() throws IOException {
    if (encoder.length() >= FLUSH_BYTES) {
      flush();
      // Only a full buffer gets here: rows and bytes of an unfinished transfer are in the COPY.
      crashPoints.reached(CrashPoint.MID_RESULT_DOWNLOAD, executionId);
    }
  }

  private void flush() throws IOException {
    if (encoder.length() == 0) {
      return;
    }
    try {
      if (copy == null) {
        copy = copyManager.copyIn(COPY_SEGMENTS);
        byte[] header = SegmentEncoder.header();
        copy.writeToCopy(header, 0, header.length);
      }
      copy.writeToCopy(encoder.buffer(), 0, encoder.length());
    } catch (SQLException e) {
      throw new StoreFailure(e);
    }
    encoder.clear();
  }

  private void endCopy() throws IOException {
    flush();
    if (copy != null) {
      try {
        byte[] trailer = SegmentEncoder.trailer();
        copy.writeToCopy(trailer, 0, trailer.length);
        copy.endCopy();
      } catch (SQLException e) {
        throw new StoreFailure(e);
      }
      copy = null;
    }
  }

  private Array textArray(List<String> values) throws SQLException {
    return connection.createArrayOf(
        "text", values.stream().map(StoredText::of).toArray(String[]::new));
  }

  /** What is recorded about one stored file besides its segments. */
  record StoredFile(
      String name,
      ResultFormat format,
      String contentType,
      boolean gzipped,
      List<String> columns,
      long byteSize,
      String sha256) {}

  /** Totals written with the STORED status. */
  record StoredResult(int fileCount, long byteSize, List<String> columns) {}

  /** A database failure while streaming; an IOException so it can cross the parser's tap. */
  static final class StoreFailure extends IOException {
    StoreFailure(SQLException cause) {
      super("storing the result failed: " + cause.getMessage(), cause);
    }

    SQLException sqlCause() {
      return (SQLException) getCause();
    }
  }
}
