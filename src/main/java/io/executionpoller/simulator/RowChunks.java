package io.executionpoller.simulator;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

/** Renders a generated CSV chunk by chunk into one reused array: memory stays flat at any size. */
final class RowChunks implements ChunkSource {

  private final RowFormat format;
  private final long rows;
  private final byte[] scratch = new byte[CHUNK + RowFormat.MAX_ROW];
  private long nextRow;

  RowChunks(RowFormat format, long rows) {
    this.format = format;
    this.rows = rows;
  }

  @Override
  public Future<Buffer> next() {
    if (nextRow > rows) {
      return Future.succeededFuture(null);
    }
    int length = 0;
    if (nextRow == 0) {
      length = RowFormat.put(scratch, 0, format.header());
      nextRow = 1;
    }
    while (length < CHUNK && nextRow <= rows) {
      length = format.write(nextRow++, scratch, length);
    }
    return Future.succeededFuture(Buffer.buffer(length).appendBytes(scratch, 0, length));
  }
}
