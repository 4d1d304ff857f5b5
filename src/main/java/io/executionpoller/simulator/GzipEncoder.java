package io.executionpoller.simulator;

import io.vertx.core.buffer.Buffer;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Gzip (RFC 1952) around a raw Deflater, fed one plain chunk at a time so compressed bytes leave as
 * the plain ones are produced: a compressed result file is never whole in memory. The fastest level
 * keeps the simulator from being the bottleneck of a download benchmark.
 */
final class GzipEncoder {

  /** Magic, deflate, no flags, no mtime, no extra flags, OS unknown. */
  private static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};

  private final Deflater deflater = new Deflater(Deflater.BEST_SPEED, true);
  private final CRC32 crc = new CRC32();
  private final byte[] out = new byte[ChunkSource.CHUNK];
  private long plainBytes;
  private boolean headerSent;
  private boolean ended;

  /** The compressed bytes ready after {@code plain}; often empty, the deflater buffers. */
  Buffer encode(Buffer plain) {
    Buffer encoded = start();
    byte[] bytes = plain.getBytes();
    crc.update(bytes);
    plainBytes += bytes.length;
    deflater.setInput(bytes);
    while (!deflater.needsInput()) {
      int length = deflater.deflate(out, 0, out.length, Deflater.NO_FLUSH);
      encoded.appendBytes(out, 0, length);
    }
    return encoded;
  }

  /**
   * Everything deflated so far, decodable on its own (a sync flush): a client held by STALL must
   * hold every byte sent before the pause.
   */
  Buffer flush() {
    Buffer encoded = start();
    int length;
    do {
      length = deflater.deflate(out, 0, out.length, Deflater.SYNC_FLUSH);
      encoded.appendBytes(out, 0, length);
    } while (length == out.length);
    return encoded;
  }

  /** The last compressed bytes and the trailer (CRC-32 and size); frees the deflater. */
  Buffer finish() {
    Buffer encoded = start();
    deflater.finish();
    while (!deflater.finished()) {
      int length = deflater.deflate(out);
      encoded.appendBytes(out, 0, length);
    }
    encoded.appendIntLE((int) crc.getValue()).appendIntLE((int) plainBytes);
    end();
    return encoded;
  }

  /** Frees the deflater's native memory; safe to call again. */
  void end() {
    if (!ended) {
      ended = true;
      deflater.end();
    }
  }

  private Buffer start() {
    Buffer encoded = Buffer.buffer();
    if (!headerSent) {
      headerSent = true;
      encoded.appendBytes(HEADER);
    }
    return encoded;
  }
}
