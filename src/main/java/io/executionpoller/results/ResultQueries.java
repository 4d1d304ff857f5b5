package io.executionpoller.results;

import static io.executionpoller.db.Jdbc.instant;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.OutputStream;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Reads stored results for the API. Only STORED results expose rows and bytes: an attempt stages
 * its segments before the short transaction that marks the result STORED, and what any other
 * attempt staged is gone by then, so a reader of a STORED result never meets half a result.
 */
@ApplicationScoped
public class ResultQueries {

  private static final String SUMMARY =
      """
      SELECT e.status AS execution_status, r.status, r.attempts, r.next_attempt_at, r.last_error,
             r.last_error_at, r.error_type, r.file_count, r.row_count, r.byte_size, r.columns,
             r.stored_at, r.created_at, r.output_s3_uri
        FROM workflow_executions e LEFT JOIN execution_results r ON r.execution_id = e.id
       WHERE e.id = ?
      """;

  private static final String FILES =
      """
      SELECT file_index, name, format, content_type, gzipped, columns, first_row, row_count,
             byte_size, sha256, segment_count
        FROM result_files WHERE execution_id = ? ORDER BY file_index
      """;

  /**
   * Segments that may hold rows ($2, $3]: a segment starts at most MAX_SEGMENT_ROWS - 1 earlier.
   */
  private static final String ROW_SEGMENTS =
      """
      SELECT first_row, row_count, fields FROM result_segments
       WHERE execution_id = ? AND row_count > 0 AND first_row > ? AND first_row <= ?
       ORDER BY first_row
      """;

  private static final String SEGMENT_DATA =
      "SELECT data FROM result_segments WHERE execution_id = ? AND file_index = ? AND segment = ?";

  /** The longest preview {@link #firstRows} gives: one segment's worth of rows. */
  public static final int MAX_PREVIEW_ROWS = SegmentEncoder.MAX_SEGMENT_ROWS;

  private final AgroalDataSource dataSource;

  ResultQueries(AgroalDataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** The execution's result summary; empty when the execution does not exist. */
  public Optional<ResultSummary> summary(UUID executionId) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      return summary(connection, executionId);
    }
  }

  /** The same, on the caller's connection (a page that reads several things at once). */
  public Optional<ResultSummary> summary(Connection connection, UUID executionId)
      throws SQLException {
    ResultSummary summary;
    try (PreparedStatement query = connection.prepareStatement(SUMMARY)) {
      query.setObject(1, executionId);
      try (ResultSet row = query.executeQuery()) {
        if (!row.next()) {
          return Optional.empty();
        }
        summary =
            new ResultSummary(
                executionId,
                row.getString("execution_status"),
                row.getString("status"),
                row.getInt("attempts"),
                instant(row, "next_attempt_at"),
                row.getString("last_error"),
                instant(row, "last_error_at"),
                row.getString("error_type"),
                (Integer) row.getObject("file_count"),
                (Long) row.getObject("row_count"),
                (Long) row.getObject("byte_size"),
                strings(row.getArray("columns")),
                instant(row, "stored_at"),
                row.getString("output_s3_uri"),
                List.of());
      }
    }
    if (!ResultStatus.STORED.name().equals(summary.status())) {
      return Optional.of(summary);
    }
    return Optional.of(summary.withFiles(files(connection, executionId)));
  }

  /**
   * The first {@code limit} rows of a stored result (none when it is not stored), for previews.
   * Bounded to one segment's worth, so a preview never reads more than one segment of rows.
   */
  public List<List<String>> firstRows(UUID executionId, int limit) throws SQLException {
    if (limit < 1 || limit > MAX_PREVIEW_ROWS) {
      throw new IllegalArgumentException(
          "a preview has 1 to " + MAX_PREVIEW_ROWS + " rows, not " + limit);
    }
    List<List<String>> rows = new ArrayList<>(limit);
    try {
      // A copy: the sink's list is a view of the whole segment's array; values may be null.
      rows(
          executionId,
          0,
          limit,
          (number, fields) -> {
            rows.add(new ArrayList<>(fields));
            return true;
          });
    } catch (IOException e) {
      // Only the sink could throw it, and adding to a list does not.
      throw new IllegalStateException(e);
    }
    return rows;
  }

  /**
   * Rows {@code offset+1 .. offset+limit} of a stored result, handed to {@code sink} in order until
   * it wants no more.
   */
  void rows(UUID executionId, long offset, int limit, RowSink sink)
      throws SQLException, IOException {
    long last = offset + limit;
    try (Connection connection = dataSource.getConnection();
        PreparedStatement query = connection.prepareStatement(ROW_SEGMENTS)) {
      query.setObject(1, executionId);
      query.setLong(2, offset + 1 - SegmentEncoder.MAX_SEGMENT_ROWS);
      query.setLong(3, last);
      // A cursor, a few segments at a time: the page is written out as it is read.
      connection.setAutoCommit(false);
      query.setFetchSize(4);
      try (ResultSet segments = query.executeQuery()) {
        boolean more = true;
        while (more && segments.next()) {
          long firstRow = segments.getLong(1);
          int rowCount = segments.getInt(2);
          String[] fields = (String[]) segments.getArray(3).getArray();
          int columns = fields.length / rowCount;
          for (int r = 0; more && r < rowCount; r++) {
            long rowNumber = firstRow + r;
            if (rowNumber > offset && rowNumber <= last) {
              more =
                  sink.row(
                      rowNumber, Arrays.asList(fields).subList(r * columns, (r + 1) * columns));
            }
          }
        }
      } finally {
        connection.commit();
        connection.setAutoCommit(true);
      }
    }
  }

  /** Writes one stored file's original bytes, one segment in memory at a time. */
  void copyFile(UUID executionId, int fileIndex, int segmentCount, OutputStream out)
      throws SQLException, IOException {
    for (int segment = 0; segment < segmentCount; segment++) {
      // A short statement per segment: no connection is held while the client reads slowly.
      byte[] data;
      try (Connection connection = dataSource.getConnection();
          PreparedStatement query = connection.prepareStatement(SEGMENT_DATA)) {
        query.setObject(1, executionId);
        query.setInt(2, fileIndex);
        query.setInt(3, segment);
        try (ResultSet row = query.executeQuery()) {
          if (!row.next()) {
            throw new IOException("segment " + segment + " of file " + fileIndex + " is missing");
          }
          data = row.getBytes(1);
        }
      }
      out.write(data);
    }
    out.flush();
  }

  private static List<ResultSummary.StoredFile> files(Connection connection, UUID executionId)
      throws SQLException {
    List<ResultSummary.StoredFile> files = new ArrayList<>();
    try (PreparedStatement query = connection.prepareStatement(FILES)) {
      query.setObject(1, executionId);
      try (ResultSet row = query.executeQuery()) {
        while (row.next()) {
          files.add(
              new ResultSummary.StoredFile(
                  row.getInt("file_index"),
                  row.getString("name"),
                  row.getString("format"),
                  row.getString("content_type"),
                  row.getBoolean("gzipped"),
                  strings(row.getArray("columns")),
                  row.getLong("first_row"),
                  row.getLong("row_count"),
                  row.getLong("byte_size"),
                  row.getString("sha256"),
                  row.getInt("segment_count")));
        }
      }
    }
    return files;
  }

  private static List<String> strings(Array array) throws SQLException {
    if (array == null) {
      return List.of();
    }
    return Arrays.asList((String[]) array.getArray());
  }

  /** Receives rows in order; returns whether it wants the next one. */
  @FunctionalInterface
  interface RowSink {
    boolean row(long rowNumber, List<String> fields) throws IOException;
  }
}
