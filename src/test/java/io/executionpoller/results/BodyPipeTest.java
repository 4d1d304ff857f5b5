package io.executionpoller.results;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The hand-over from the event loop to the download thread, and its back-pressure. */
class BodyPipeTest {

  @Test
  void shouldReportFullAtTheHighWaterMarkAndResumeTheTransferOnceHalfIsRead() throws IOException {
    BodyPipe pipe = new BodyPipe(100);
    AtomicInteger resumed = new AtomicInteger();
    pipe.write(Buffer.buffer(new byte[60]));
    assertThat(pipe.writeQueueFull()).isFalse();
    pipe.write(Buffer.buffer(new byte[60]));
    assertThat(pipe.writeQueueFull()).isTrue();
    pipe.drainHandler(ignored -> resumed.incrementAndGet());

    InputStream in = pipe.input();
    assertThat(in.read(new byte[60])).isEqualTo(60);
    assertThat(resumed).as("60 of 100 still unread").hasValue(0);
    assertThat(in.read(new byte[20])).isEqualTo(20);
    assertThat(resumed).as("below half of the high water").hasValue(1);
    assertThat(pipe.writeQueueFull()).isFalse();
  }

  @Test
  void shouldRunADrainHandlerAtOnceWhenTheReaderDrainedBeforeItWasSet() throws IOException {
    BodyPipe pipe = new BodyPipe(100);
    AtomicInteger resumed = new AtomicInteger();
    pipe.write(Buffer.buffer(new byte[120]));
    pipe.input().readNBytes(120);

    pipe.drainHandler(ignored -> resumed.incrementAndGet());

    assertThat(resumed).hasValue(1);
  }

  @Test
  void shouldDeliverBytesInOrderThenEndOfStream() throws IOException {
    BodyPipe pipe = new BodyPipe(1024);
    pipe.write(Buffer.buffer("hello "));
    pipe.write(Buffer.buffer("world"));
    pipe.end();
    pipe.finish();

    assertThat(new String(pipe.input().readAllBytes())).isEqualTo("hello world");
    assertThat(pipe.input().read()).isEqualTo(-1);
  }

  @Test
  void shouldFailTheReaderAfterTheBytesThatArrivedWhenTheTransferFails() throws IOException {
    BodyPipe pipe = new BodyPipe(1024);
    pipe.write(Buffer.buffer("part"));
    pipe.fail(new IOException("connection reset"));

    InputStream in = pipe.input();
    assertThat(in.readNBytes(4)).isEqualTo("part".getBytes());
    assertThatThrownBy(in::read).isInstanceOf(IOException.class).hasMessage("connection reset");
  }

  @Test
  void shouldTreatATransferThatFailsAfterVertxEndedThePipeAsAFailureNotAnEndOfFile()
      throws IOException {
    // Vert.x ends a piped stream before it reports the failure; a cut body must not read as whole.
    BodyPipe pipe = new BodyPipe(1024);
    pipe.write(Buffer.buffer("a,b\n1,"));
    pipe.end();
    pipe.fail(new IOException("Connection was closed"));

    InputStream in = pipe.input();
    assertThat(in.readNBytes(6)).isEqualTo("a,b\n1,".getBytes());
    assertThatThrownBy(in::read)
        .isInstanceOf(IOException.class)
        .hasMessage("Connection was closed");
  }

  @Test
  void shouldNotTreatEndAloneAsTheEndOfTheFileButWaitForTheOutcome() throws Exception {
    BodyPipe pipe = new BodyPipe(1024);
    pipe.write(Buffer.buffer("x"));
    pipe.end();
    Reader reader = Reader.start(pipe);

    reader.awaitBlocked();
    assertThat(reader.result()).as("still waiting for the transfer's outcome").isNull();
    pipe.finish();

    assertThat(reader.join()).isEqualTo("x");
  }

  @Test
  void shouldKeepAClosedPipeFullSoAnAbandonedTransferIsNotPulledToItsEnd() throws IOException {
    BodyPipe pipe = new BodyPipe(1024);
    AtomicInteger resumed = new AtomicInteger();
    pipe.input().close();

    pipe.write(Buffer.buffer(new byte[10]));
    pipe.drainHandler(ignored -> resumed.incrementAndGet());

    assertThat(pipe.writeQueueFull()).isTrue();
    assertThat(resumed).hasValue(0);
    assertThatThrownBy(() -> pipe.input().read()).isInstanceOf(IOException.class);
  }

  @Test
  void shouldBlockAReaderUntilBytesArriveFromAnotherThread() throws Exception {
    BodyPipe pipe = new BodyPipe(1024);
    Reader reader = Reader.start(pipe);

    reader.awaitBlocked();
    assertThat(reader.result()).isNull();
    pipe.write(Buffer.buffer("late"));
    pipe.finish();

    assertThat(reader.join()).isEqualTo("late");
  }

  /** Reads the whole pipe on its own thread, as the download thread does. */
  private record Reader(Thread thread, AtomicReference<String> read) {

    static Reader start(BodyPipe pipe) {
      AtomicReference<String> read = new AtomicReference<>();
      Thread thread =
          new Thread(
              () -> {
                try {
                  read.set(new String(pipe.input().readAllBytes()));
                } catch (IOException e) {
                  read.set("failed: " + e);
                }
              },
              "pipe-reader");
      thread.start();
      return new Reader(thread, read);
    }

    /** Until the reader is parked inside the pipe, waiting for bytes or an outcome. */
    void awaitBlocked() {
      await().atMost(Duration.ofSeconds(10)).until(() -> thread.getState() == Thread.State.WAITING);
    }

    String result() {
      return read.get();
    }

    String join() throws InterruptedException {
      thread.join(Duration.ofSeconds(10).toMillis());
      assertThat(thread.isAlive()).as("reader finished").isFalse();
      return read.get();
    }
  }
}
