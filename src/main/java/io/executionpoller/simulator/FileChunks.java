package io.executionpoller.simulator;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import java.nio.file.Path;

/**
 * A file on disk read chunk by chunk through Vert.x's file system, which reads on a worker: the
 * path for files that cannot go out with sendFile because they are gzipped or faulted on the way.
 */
final class FileChunks implements ChunkSource {

  private final Vertx vertx;
  private final Path path;
  private Future<AsyncFile> file;
  private long position;
  private boolean closed;

  FileChunks(Vertx vertx, Path path) {
    this.vertx = vertx;
    this.path = path;
  }

  @Override
  public Future<Buffer> next() {
    if (file == null) {
      file = vertx.fileSystem().open(path.toString(), new OpenOptions().setRead(true));
    }
    return file.compose(open -> open.read(Buffer.buffer(CHUNK), 0, position, CHUNK))
        .map(
            chunk -> {
              if (chunk.length() == 0) {
                close();
                return null;
              }
              position += chunk.length();
              return chunk;
            });
  }

  @Override
  public void close() {
    if (!closed && file != null) {
      closed = true;
      // An open still under way closes once it completes.
      file.onSuccess(AsyncFile::close);
    }
  }
}
