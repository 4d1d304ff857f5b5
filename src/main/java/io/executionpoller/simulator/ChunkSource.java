package io.executionpoller.simulator;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

/**
 * The plain bytes of a result file in chunks of about 64 KiB, pulled one at a time so the sender
 * asks for the next only when the client has taken the last. Generated and literal sources answer
 * at once; a file on disk answers when its read completes.
 */
interface ChunkSource {

  int CHUNK = 64 * 1024;

  /** The next chunk, or null at the end. */
  Future<Buffer> next();

  /** Frees what the source holds (an open file); safe to call at any point. */
  default void close() {}

  static ChunkSource open(ResultFile.Content content, Vertx vertx) {
    if (content instanceof ResultFile.Rows rows) {
      return new RowChunks(rows.shape().format(), rows.count());
    }
    if (content instanceof ResultFile.Bytes bytes) {
      return new ByteChunks(bytes.shared());
    }
    return new FileChunks(vertx, ((ResultFile.OnDisk) content).path());
  }

  /**
   * The plain length of {@code content}. Blocking: a pass over the rows or a file-system call, so
   * callers run it off the event loop.
   */
  static long length(ResultFile.Content content) {
    if (content instanceof ResultFile.Rows rows) {
      return rows.shape().format().totalLength(rows.count());
    }
    if (content instanceof ResultFile.Bytes bytes) {
      return bytes.shared().length;
    }
    try {
      return Files.size(((ResultFile.OnDisk) content).path());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
