package io.executionpoller.simulator;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;

/**
 * Sends one result file whose headers are already set: pulls plain chunks, gzips them when asked,
 * and writes no faster than the client reads (a full write queue waits for its drain), so a file of
 * any size passes through a few chunks of memory. TRUNCATE and STALL act at a plain-byte offset.
 *
 * <p>Runs on the request's event loop; {@link #resume} and {@link #abort} hop onto it.
 */
final class S3Transfer implements HeldResponse {

  /** What a STALL keeps back: the last 64 KiB, or the second half of a smaller file. */
  static final long STALL_TAIL = 64 * 1024;

  private final RoutingContext ctx;
  private final HttpServerResponse response;
  private final Context context;
  private final ChunkSource source;
  private final GzipEncoder gzip;
  private final S3Fault fault;
  private final HeldConnections connections;
  private final Duration stallFor;

  /** Plain bytes handed on so far. */
  private long sent;

  /** Where the fault acts, in plain bytes; -1 once it acted or when there is none. */
  private long faultAt;

  /** The part of a chunk beyond the fault point, sent after a STALL ends. */
  private Buffer pending;

  private Future<Void> lastWrite = Future.succeededFuture();
  private boolean done;
  private boolean held;
  private long stallTimer = -1;

  /**
   * @param gzip null for plain bytes
   * @param length the plain length, which places the fault point
   */
  S3Transfer(
      RoutingContext ctx,
      ChunkSource source,
      GzipEncoder gzip,
      S3Fault fault,
      long length,
      HeldConnections connections,
      Duration stallFor) {
    this.ctx = ctx;
    this.response = ctx.response();
    this.context = Vertx.currentContext();
    this.source = source;
    this.gzip = gzip;
    this.fault = fault;
    this.connections = connections;
    this.stallFor = stallFor;
    this.faultAt =
        switch (fault) {
          case TRUNCATE -> length / 2;
          case STALL -> length - Math.min(STALL_TAIL, length / 2);
          default -> -1;
        };
  }

  void start() {
    // A client that gives up ends the transfer: no more generating for nobody.
    response.closeHandler(v -> stop());
    response.exceptionHandler(e -> stop());
    pump();
  }

  @Override
  public void resume() {
    context.runOnContext(
        v -> {
          if (held && !done) {
            unhold();
            pump();
          }
        });
  }

  @Override
  public void abort() {
    context.runOnContext(
        v -> {
          if (!done) {
            drop();
          }
        });
  }

  /**
   * Moves chunks until the write queue is full, the source must wait for a read, the fault point is
   * reached or the file ends. A loop rather than recursion: generated chunks come at once.
   */
  private void pump() {
    while (!done && !held) {
      if (sent == faultAt) {
        actOnFault();
        return;
      }
      if (response.writeQueueFull()) {
        response.drainHandler(v -> pump());
        return;
      }
      Future<Buffer> next;
      if (pending != null) {
        next = Future.succeededFuture(pending);
        pending = null;
      } else {
        next = source.next();
      }
      if (!next.isComplete()) {
        next.onComplete(
            result -> {
              if (accept(result)) {
                pump();
              }
            });
        return;
      }
      if (!accept(next)) {
        return;
      }
    }
  }

  /** Sends one plain chunk, cut at the fault point; false when the transfer has ended. */
  private boolean accept(AsyncResult<Buffer> result) {
    if (done) {
      return false;
    }
    if (result.failed()) {
      // The file went away under us: the client sees a broken download, as it would from S3.
      drop();
      return false;
    }
    Buffer chunk = result.result();
    if (chunk == null) {
      finish();
      return false;
    }
    if (faultAt >= 0 && sent + chunk.length() > faultAt) {
      int keep = (int) (faultAt - sent);
      pending = chunk.getBuffer(keep, chunk.length());
      chunk = chunk.getBuffer(0, keep);
    }
    send(chunk);
    return true;
  }

  private void send(Buffer plain) {
    sent += plain.length();
    write(gzip == null ? plain : gzip.encode(plain));
  }

  private void write(Buffer bytes) {
    if (bytes.length() > 0) {
      lastWrite = response.write(bytes);
    }
  }

  private void actOnFault() {
    faultAt = -1;
    if (gzip != null) {
      // Without a flush the deflater would keep back what the client should already hold.
      write(gzip.flush());
    }
    if (fault == S3Fault.TRUNCATE) {
      done = true;
      release();
      // Close only once the half is on the wire, else closing would discard queued bytes.
      lastWrite.onComplete(v -> FaultAnswers.drop(ctx));
      return;
    }
    held = true;
    connections.stallStarted(this);
    // Bounded like a HANG, so a forgotten stall does not hold a connection for good.
    stallTimer = context.owner().setTimer(stallFor.toMillis(), id -> drop());
  }

  private void finish() {
    if (gzip != null) {
      write(gzip.finish());
    }
    done = true;
    release();
    response.end();
  }

  private void drop() {
    done = true;
    release();
    FaultAnswers.drop(ctx);
  }

  /** The client closed the connection. */
  private void stop() {
    if (!done) {
      done = true;
      release();
    }
  }

  private void release() {
    source.close();
    if (gzip != null) {
      gzip.end();
    }
    if (held) {
      unhold();
    }
  }

  private void unhold() {
    held = false;
    connections.stallEnded(this);
    if (stallTimer >= 0) {
      context.owner().cancelTimer(stallTimer);
      stallTimer = -1;
    }
  }
}
