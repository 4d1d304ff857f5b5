package io.executionpoller.notify;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A webhook receiver in the test JVM: records every request and answers from a script (200 when the
 * script is empty). An answer of 0 holds the request until {@link #release()}.
 */
public final class Receiver implements AutoCloseable {

  /** One received request. */
  public record Received(
      String path, Map<String, String> headers, String body, java.time.Instant arrivedAt) {
    public String header(String name) {
      return headers.get(name);
    }
  }

  private final HttpServer server;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final ConcurrentLinkedQueue<Integer> answers = new ConcurrentLinkedQueue<>();
  private volatile CountDownLatch held = new CountDownLatch(0);
  private volatile CountDownLatch arrived = new CountDownLatch(1);

  public Receiver(Vertx vertx) throws Exception {
    this.server =
        vertx
            .createHttpServer()
            .requestHandler(
                request ->
                    request.body(
                        body -> {
                          Map<String, String> headers = new java.util.HashMap<>();
                          request
                              .headers()
                              .forEach(h -> headers.put(h.getKey().toLowerCase(), h.getValue()));
                          received.add(
                              new Received(
                                  request.path(),
                                  headers,
                                  body.result().toString(),
                                  java.time.Instant.now()));
                          arrived.countDown();
                          Integer answer = answers.poll();
                          int code = answer == null ? 200 : answer;
                          if (code == 0) {
                            CountDownLatch latch = held;
                            vertx.executeBlocking(
                                () -> latch.await(30, TimeUnit.SECONDS),
                                false,
                                done -> request.response().setStatusCode(200).end());
                            return;
                          }
                          if (code == 302) {
                            request
                                .response()
                                .setStatusCode(302)
                                .putHeader("location", "/redirected")
                                .end();
                            return;
                          }
                          request.response().setStatusCode(code).end("ok");
                        }))
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
  }

  public String url() {
    return "http://127.0.0.1:" + server.actualPort() + "/hook";
  }

  /** The next requests are answered with these codes, in order. */
  public void answer(Integer... codes) {
    answers.addAll(List.of(codes));
  }

  /** The next request is held until {@link #release()}; returns a latch that opens on arrival. */
  CountDownLatch holdNext() {
    held = new CountDownLatch(1);
    arrived = new CountDownLatch(1);
    answers.add(0);
    return arrived;
  }

  void release() {
    held.countDown();
  }

  public List<Received> received() {
    return List.copyOf(received);
  }

  void clear() {
    received.clear();
    answers.clear();
  }

  @Override
  public void close() throws Exception {
    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
