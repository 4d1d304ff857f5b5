package io.executionpoller.notify;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PfxOptions;
import java.nio.file.Path;
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
  private final boolean tls;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final ConcurrentLinkedQueue<Integer> answers = new ConcurrentLinkedQueue<>();
  private volatile CountDownLatch held = new CountDownLatch(0);
  private volatile CountDownLatch arrived = new CountDownLatch(1);

  public Receiver(Vertx vertx) throws Exception {
    this(vertx, new HttpServerOptions(), false);
  }

  /**
   * A receiver over https with the certificate of this PKCS#12 key store; its URL names {@code
   * localhost}, the name the test certificates are made for, so the sender verifies the host name
   * against it.
   */
  static Receiver https(Vertx vertx, Path keyStore, String password) throws Exception {
    return new Receiver(
        vertx,
        new HttpServerOptions()
            .setSsl(true)
            .setKeyCertOptions(new PfxOptions().setPath(keyStore.toString()).setPassword(password)),
        true);
  }

  private Receiver(Vertx vertx, HttpServerOptions options, boolean tls) throws Exception {
    this.tls = tls;
    this.server =
        vertx
            .createHttpServer(options)
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
    return (tls ? "https://localhost:" : "http://127.0.0.1:") + server.actualPort() + "/hook";
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
