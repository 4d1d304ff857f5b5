package io.executionpoller.results;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;

/**
 * Hands a response body from the Vert.x event loop to one blocking reader thread, with
 * back-pressure: the HTTP transfer writes here, and once {@code highWater} bytes wait unread the
 * stream reports itself full, so Vert.x pauses the socket until the reader has drained half. The
 * parser and the database (through COPY) therefore set the pace of the download, and memory holds
 * at most about {@code highWater} bytes of body whatever the file size.
 */
final class BodyPipe implements WriteStream<Buffer> {

  private final long highWater;
  private final ArrayDeque<Buffer> queue = new ArrayDeque<>();
  private final Input input = new Input();

  private long queued;
  private int headOffset;
  private boolean ended;
  private boolean closed;
  private Throwable failure;
  private Handler<Void> drainHandler;
  private Context drainContext;

  BodyPipe(long highWater) {
    this.highWater = highWater;
  }

  /** The reader's side; read on a worker thread, never on the event loop. */
  InputStream input() {
    return input;
  }

  /**
   * The whole body has arrived (the HTTP exchange succeeded): the reader gets end of file after the
   * bytes queued. Only this marks the end; a piped stream is also ended when the transfer fails,
   * and a cut body must not read as a complete file.
   */
  synchronized void finish() {
    if (failure == null) {
      ended = true;
    }
    notifyAll();
  }

  /** Ends the reader's stream with this failure (the transfer failed or was abandoned). */
  synchronized void fail(Throwable cause) {
    if (!ended && failure == null) {
      failure = cause;
    }
    notifyAll();
  }

  // ---- the event-loop side ----

  @Override
  public synchronized Future<Void> write(Buffer data) {
    if (!closed && data.length() > 0) {
      queue.addLast(data);
      queued += data.length();
      notifyAll();
    }
    return Future.succeededFuture();
  }

  @Override
  public void write(Buffer data, Handler<AsyncResult<Void>> handler) {
    Future<Void> result = write(data);
    if (handler != null) {
      handler.handle(result);
    }
  }

  /**
   * Called by Vert.x when the source ends, successfully or not; the outcome arrives separately
   * ({@link #finish()} or {@link #fail}), so this alone ends nothing.
   */
  @Override
  public Future<Void> end() {
    return Future.succeededFuture();
  }

  @Override
  public void end(Handler<AsyncResult<Void>> handler) {
    Future<Void> result = end();
    if (handler != null) {
      handler.handle(result);
    }
  }

  @Override
  public synchronized boolean writeQueueFull() {
    // A closed pipe stays full: the socket stays paused until the idle timeout closes it, rather
    // than pulling an abandoned body to its end.
    return closed || queued >= highWater;
  }

  @Override
  public BodyPipe drainHandler(Handler<Void> handler) {
    Context context = Vertx.currentContext();
    boolean drainedAlready;
    synchronized (this) {
      // The reader may have drained between writeQueueFull() and this call; then nobody would
      // ever call the handler, so it runs at once.
      drainedAlready = handler != null && !closed && queued < highWater / 2;
      drainHandler = drainedAlready ? null : handler;
      drainContext = context;
    }
    if (drainedAlready) {
      resume(handler, context);
    }
    return this;
  }

  /** Lets the transfer go on: the handler runs on the context that registered it. */
  private static void resume(Handler<Void> handler, Context context) {
    if (context != null) {
      context.runOnContext(ignored -> handler.handle(null));
    } else {
      handler.handle(null);
    }
  }

  @Override
  public BodyPipe exceptionHandler(Handler<Throwable> handler) {
    return this;
  }

  @Override
  public BodyPipe setWriteQueueMaxSize(int maxSize) {
    return this;
  }

  // ---- the reader's side ----

  private final class Input extends InputStream {

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] target, int offset, int length) throws IOException {
      if (length == 0) {
        return 0;
      }
      Handler<Void> drain = null;
      Context context = null;
      int n;
      synchronized (BodyPipe.this) {
        while (queue.isEmpty() && !ended && failure == null && !closed) {
          try {
            BodyPipe.this.wait();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("download interrupted");
          }
        }
        if (closed) {
          throw new IOException("body stream closed");
        }
        if (queue.isEmpty()) {
          if (failure != null) {
            throw failure instanceof IOException io ? io : new IOException(failure);
          }
          return -1;
        }
        Buffer head = queue.peekFirst();
        n = Math.min(length, head.length() - headOffset);
        head.getBytes(headOffset, headOffset + n, target, offset);
        headOffset += n;
        if (headOffset == head.length()) {
          queue.removeFirst();
          headOffset = 0;
        }
        queued -= n;
        if (drainHandler != null && queued < highWater / 2) {
          drain = drainHandler;
          context = drainContext;
          drainHandler = null;
        }
      }
      if (drain != null) {
        resume(drain, context);
      }
      return n;
    }

    /** Bytes received and not read yet: a read of them does not wait for the network. */
    @Override
    public int available() {
      synchronized (BodyPipe.this) {
        return (int) Math.min(queued, Integer.MAX_VALUE);
      }
    }

    @Override
    public void close() {
      synchronized (BodyPipe.this) {
        closed = true;
        queue.clear();
        queued = 0;
        BodyPipe.this.notifyAll();
      }
    }
  }
}
