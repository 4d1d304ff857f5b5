package io.executionpoller.results;

import java.time.Instant;
import java.util.List;

/**
 * What GET /results shows: the download step's state and, once STORED, the files. {@code status} is
 * null when the execution has no result step (it has not succeeded).
 */
public record ResultSummary(
    java.util.UUID executionId,
    String executionStatus,
    String status,
    int attempts,
    Instant nextAttemptAt,
    String lastError,
    Instant lastErrorAt,
    String errorType,
    Integer fileCount,
    Long rowCount,
    Long byteSize,
    List<String> columns,
    Instant storedAt,
    String outputS3Uri,
    List<StoredFile> files) {

  ResultSummary withFiles(List<StoredFile> stored) {
    return new ResultSummary(
        executionId,
        executionStatus,
        status,
        attempts,
        nextAttemptAt,
        lastError,
        lastErrorAt,
        errorType,
        fileCount,
        rowCount,
        byteSize,
        columns,
        storedAt,
        outputS3Uri,
        List.copyOf(stored));
  }

  /** One stored file; sha256 and bytes are of the content as stored and served. */
  public record StoredFile(
      int index,
      String name,
      String format,
      String contentType,
      boolean gzipped,
      List<String> columns,
      long firstRow,
      long rows,
      long bytes,
      String sha256,
      int segmentCount) {}
}
