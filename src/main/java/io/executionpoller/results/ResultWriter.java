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
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;

/**
 * Stores one attempt's result through staging: each file as segments of rows and original bytes
 * through binary COPY, committed as it goes, then a row per file, and finally the STORED status in
 * one short transaction of its own. Staged rows are invisible to readers, who read STORED results
 * only. A staging transaction never waits for the network: it is committed before any read of the
 * body that would block, and after {@link #STAGE_BYTES} at the latest, so no transaction (and no
 * vacuum horizon) is held for the length of a download. Every staging commit first checks that this
 * attempt still holds the claim, so a replica that lost it stages nothing more; a file fetched
 * again, and a failed or crashed attempt, leave rows that {@link #deleteStaged} removes. Memory
 * holds about one segment and one buffer of encoded tuples.
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

  /**
   * Taken just before each staging commit: the attempt still holds the claim, and a claim by
   * another replica (an UPDATE of the row) waits the few milliseconds until this commit is done, so
   * it never misses rows this attempt staged.
   */
  private static final String CHECK_CLAIM =
      """
      SELECT 1 FROM execution_results
       WHERE execution_id = ? AND status = ? AND lease_owner = ? AND attempts = ?
         FOR SHARE
      """;

  /**
   * Staged segments of files {@code [$5, $6]} of a result that is not STORED and whose latest claim
   * is {@code $2}; a batch at a time, so no statement holds many locks or runs long.
   */
  private static final String DELETE_STAGED_SEGMENTS =
      """
      DELETE FROM result_segments WHERE (execution_id, file_index, segment) IN (
          SELECT s.execution_id, s.file_index, s.segment
            FROM result_segments s JOIN execution_results r ON r.execution_id = s.execution_id
           WHERE s.execution_id = ? AND r.attempts = ? AND r.status <> ?
             AND s.file_index BETWEEN ? AND ?
           LIMIT ?)
      """;

  private static final String DELETE_STAGED_FILES =
      """
      DELETE FROM result_files f USING execution_results r
       WHERE f.execution_id = ? AND r.execution_id = f.execution_id AND r.attempts = ?
         AND r.status <> ? AND f.file_index BETWEEN ? AND ?
      """;

  /** Segments deleted per statement (each holds up to about 1.5 MiB). */
  private static final int DELETE_BATCH = 100;

  private static final String MARK_STORED =
      """
      UPDATE execution_results
         SET status = ?, file_count = ?, row_count = ?, byte_size = ?, columns = ?,
             stored_at = ?, updated_at = ?, lease_owner = NULL, lease_expires_at = NULL,
             last_error = NULL, last_error_at = NULL, error_type = NULL
       WHERE execution_id = ? AND status = ? AND lease_owner = ? AND attempts = ?
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

  /**
   * A staging transaction is committed once it has handed this many bytes of tuples to COPY: the
   * bound on what one transaction holds while data keeps arriving without a wait.
   */
  static final int STAGE_BYTES = 16 * 1024 * 1024;

  private final Connection connection;
  private final CopyManager copyManager;
  private final UUID executionId;
  private final String owner;
  private final int attempt;
  private final SegmentEncoder encoder;
  private final String previousApplicationName;
  private final CrashPoints crashPoints;

  private CopyIn copy;
  private boolean inFile;
  private int fileIndex;
  private long rowNumber;
  private long fileFirstRow;

  /** Tuple bytes handed to COPY in the open staging transaction. */
  private long stagedBytes;

  ResultWriter(Connection connection, ResultClaim claim, String owner, CrashPoints crashPoints)
      throws SQLException {
    this.connection = connection;
    this.crashPoints = crashPoints;
    this.copyManager = connection.unwrap(PGConnection.class).getCopyAPI();
    this.executionId = claim.executionId();
    this.owner = owner;
    this.attempt = claim.attempt();
    this.encoder = new SegmentEncoder(executionId);
    this.previousApplicationName = connection.getClientInfo("ApplicationName");
    connection.setClientInfo("ApplicationName", APPLICATION_NAME);
    connection.setAutoCommit(false);
  }

  /** Begins file {@code index}; its rows continue the result-wide numbering. */
  void startFile(int index) {
    fileIndex = index;
    inFile = true;
    fileFirstRow = rowNumber + 1;
    encoder.startFile(index, fileFirstRow);
  }

  /**
   * The download is about to wait for more of the body: what is staged so far is committed first,
   * so no transaction stays open while S3 takes its time.
   */
  void beforeWait() throws IOException {
    if (copy != null || stagedBytes > 0) {
      commitStage();
    }
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

  /** Ends the current file, records it and commits it; returns the number of rows it had. */
  long endFile(StoredFile file) throws IOException, SQLException {
    encoder.closeSegment();
    flush();
    endCopy();
    long rows = rowNumber - fileFirstRow + 1;
    try (PreparedStatement insert = connection.prepareStatement(INSERT_FILE)) {
      insert.setObject(1, executionId);
      insert.setInt(2, fileIndex);
      insert.setString(3, StoredText.of(file.name()));
      insert.setString(4, file.format().name());
      insert.setString(5, StoredText.of(file.contentType()));
      insert.setBoolean(6, file.gzipped());
      insert.setArray(7, textArray(file.columns()));
      insert.setLong(8, fileFirstRow);
      insert.setLong(9, rows);
      insert.setLong(10, file.byteSize());
      insert.setString(11, file.sha256());
      insert.setInt(12, encoder.segments());
      insert.executeUpdate();
    }
    commitStage();
    inFile = false;
    return rows;
  }

  /**
   * Forgets everything written for the current file, staged or not, so it can be fetched again;
   * nothing to do when the file never started (its transfer failed before the first byte).
   */
  void discardFile() throws SQLException {
    if (!inFile) {
      return;
    }
    if (copy != null && copy.isActive()) {
      copy.cancelCopy();
    }
    copy = null;
    stagedBytes = 0;
    encoder.discard();
    connection.rollback();
    deleteStaged(connection, executionId, attempt, fileIndex, fileIndex);
    inFile = false;
    rowNumber = fileFirstRow - 1;
  }

  /**
   * Deletes the staged segments and file rows of files {@code [fromFile, toFile]} of a result that
   * is not STORED and whose latest claim is {@code attempt}, committing batch by batch; nothing
   * when a later claim exists, so a stale attempt never touches what a newer one staged. Returns
   * the segments deleted.
   */
  static long deleteStaged(
      Connection connection, UUID executionId, int attempt, int fromFile, int toFile)
      throws SQLException {
    long deleted = 0;
    try (PreparedStatement segments = connection.prepareStatement(DELETE_STAGED_SEGMENTS);
        PreparedStatement files = connection.prepareStatement(DELETE_STAGED_FILES)) {
      bindStaged(segments, executionId, attempt, fromFile, toFile);
      segments.setInt(6, DELETE_BATCH);
      int n;
      do {
        n = segments.executeUpdate();
        deleted += n;
        commitUnlessAuto(connection);
      } while (n == DELETE_BATCH);
      bindStaged(files, executionId, attempt, fromFile, toFile);
      files.executeUpdate();
      commitUnlessAuto(connection);
    }
    return deleted;
  }

  private static void bindStaged(
      PreparedStatement statement, UUID executionId, int attempt, int fromFile, int toFile)
      throws SQLException {
    statement.setObject(1, executionId);
    statement.setInt(2, attempt);
    statement.setString(3, ResultStatus.STORED.name());
    statement.setInt(4, fromFile);
    statement.setInt(5, toFile);
  }

  private static void commitUnlessAuto(Connection connection) throws SQLException {
    if (!connection.getAutoCommit()) {
      connection.commit();
    }
  }

  /**
   * Marks the result STORED and commits, in one short transaction, if this attempt still holds the
   * lease; otherwise returns false (another replica owns the result now, and its attempt deletes
   * what this one staged before it stages anything).
   */
  boolean commit(StoredResult result, Instant now, String event) throws SQLException {
    Timestamp at = Timestamp.from(now);
    try (PreparedStatement mark = connection.prepareStatement(MARK_STORED)) {
      mark.setString(1, ResultStatus.STORED.name());
      mark.setInt(2, result.fileCount());
      mark.setLong(3, rowNumber);
      mark.setLong(4, result.byteSize());
      mark.setArray(5, textArray(result.columns()));
      mark.setTimestamp(6, at);
      mark.setTimestamp(7, at);
      mark.setObject(8, executionId);
      mark.setString(9, ResultStatus.DOWNLOADING.name());
      mark.setString(10, owner);
      mark.setInt(11, attempt);
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
      if (stagedBytes >= STAGE_BYTES) {
        commitStage();
      }
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
    stagedBytes += encoder.length();
    encoder.clear();
  }

  /**
   * Ends the COPY and commits what this transaction staged, if the attempt still holds its claim;
   * otherwise rolls it back and fails the attempt.
   */
  private void commitStage() throws IOException {
    endCopy();
    try {
      try (PreparedStatement check = connection.prepareStatement(CHECK_CLAIM)) {
        check.setObject(1, executionId);
        check.setString(2, ResultStatus.DOWNLOADING.name());
        check.setString(3, owner);
        check.setInt(4, attempt);
        try (ResultSet held = check.executeQuery()) {
          if (!held.next()) {
            connection.rollback();
            stagedBytes = 0;
            throw new StoreFailure(
                new SQLException("the claim was lost while staging; another replica has it"));
          }
        }
      }
      connection.commit();
    } catch (SQLException e) {
      throw new StoreFailure(e);
    }
    stagedBytes = 0;
  }

  private void endCopy() throws IOException {
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
