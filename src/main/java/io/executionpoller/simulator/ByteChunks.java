package io.executionpoller.simulator;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

/** A literal file's bytes in chunks, so faults cut it at the same offsets as any other file. */
final class ByteChunks implements ChunkSource {

  private final byte[] bytes;
  private int position;

  ByteChunks(byte[] bytes) {
    this.bytes = bytes;
  }

  @Override
  public Future<Buffer> next() {
    if (position >= bytes.length) {
      return Future.succeededFuture(null);
    }
    int length = Math.min(CHUNK, bytes.length - position);
    Buffer chunk = Buffer.buffer(length).appendBytes(bytes, position, length);
    position += length;
    return Future.succeededFuture(chunk);
  }
}
