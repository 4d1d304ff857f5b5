package io.executionpoller.notify;

import io.quarkus.runtime.LaunchMode;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.tracing.TracingPolicy;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.core.net.SocketAddress;
import io.vertx.mutiny.ext.web.client.WebClient;
import io.vertx.mutiny.ext.web.codec.BodyCodec;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.net.InetAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Posts one signed delivery. The target's name is resolved and checked here (WebhookTargets) and
 * the connection goes to the address that passed, with the name kept for the Host header and TLS,
 * so a second DNS answer cannot redirect it. Redirects are never followed, the answer's body is
 * discarded unread, and every attempt is bounded by the connect and request timeouts.
 */
@Singleton
public class WebhookSender {

  private final WebClient client;
  private final WebhookTargets targets;
  private final Clock clock;
  private final Duration requestTimeout;
  private final Duration connectTimeout;
  private final ExecutorService resolver;

  WebhookSender(Vertx vertx, WebhookTargets targets, NotificationsConfig config, Clock clock) {
    this.client =
        WebClient.create(
            vertx,
            trusting(
                config.testTrustCertificates(),
                LaunchMode.current(),
                new WebClientOptions()
                    .setConnectTimeout((int) config.connectTimeout().toMillis())
                    .setFollowRedirects(false)
                    .setForceSni(true)
                    .setVerifyHost(true)
                    .setKeepAlive(true)
                    .setMaxPoolSize(config.maxConcurrentSends())
                    .setUserAgent("execution-poller-webhooks")
                    // No client span (it would record the URL, whose query may carry the receiver's
                    // token) and no traceparent to a third party's host.
                    .setTracingPolicy(TracingPolicy.IGNORE)));
    this.targets = targets;
    this.clock = clock;
    this.requestTimeout = config.requestTimeout();
    this.connectTimeout = config.connectTimeout();
    // The JDK's name lookup has no timeout of its own: it runs here and the sender waits for it
    // no longer than the connect timeout.
    this.resolver =
        Executors.newFixedThreadPool(
            Math.max(1, config.maxConcurrentSends()),
            runnable -> {
              Thread thread = new Thread(runnable, "webhook-resolver");
              thread.setDaemon(true);
              return thread;
            });
  }

  /**
   * The test-only trust setting, when set, replaces the JVM's trust store in dev and test builds. A
   * production build refuses to start with it (the sender is created at boot with the dispatcher):
   * a receiver's certificate is then always checked against the JVM's trust store.
   */
  static WebClientOptions trusting(
      Optional<List<String>> testTrust, LaunchMode mode, WebClientOptions options) {
    Optional<List<String>> paths = testTrust.filter(list -> !list.isEmpty());
    if (paths.isPresent() && !mode.isDevOrTest()) {
      throw new IllegalStateException(
          "poller.notifications.test-trust-certificates is for dev and test builds only; a"
              + " production build trusts the JVM's trust store: remove the setting");
    }
    paths.ifPresent(
        list -> {
          PemTrustOptions trust = new PemTrustOptions();
          list.forEach(trust::addCertPath);
          options.setTrustOptions(trust);
        });
    return options;
  }

  @PreDestroy
  void close() {
    client.close();
    resolver.shutdownNow();
  }

  /** The checked address, off the caller's thread so that a slow lookup is bounded. */
  private InetAddress resolved(String host) {
    try {
      return targets.resolve(host);
    } catch (WebhookTargets.RefusedTarget e) {
      throw new CompletionException(e);
    }
  }

  /** What one attempt came to: an answer's status code, or why there was none. */
  record Attempt(Integer statusCode, String error) {
    boolean delivered() {
      return statusCode != null && statusCode >= 200 && statusCode < 300;
    }
  }

  /** Sends {@code delivery} (its payload fixed) once; blocks the calling worker thread. */
  Attempt send(ClaimedDelivery delivery) {
    Optional<String> refused = targets.refusal(delivery.url());
    if (refused.isPresent()) {
      return new Attempt(null, "refused: " + refused.get());
    }
    URI uri = URI.create(delivery.url());
    InetAddress address;
    try {
      address =
          CompletableFuture.supplyAsync(() -> resolved(uri.getHost()), resolver)
              .get(connectTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      return new Attempt(null, "looking up " + uri.getHost() + " timed out");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Attempt(null, "interrupted");
    } catch (ExecutionException e) {
      return new Attempt(null, "refused: " + e.getCause().getMessage());
    }
    boolean tls = uri.getScheme().toLowerCase(Locale.ROOT).equals("https");
    int port = uri.getPort() > 0 ? uri.getPort() : tls ? 443 : 80;
    String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty()) ? "/" : uri.getRawPath();
    if (uri.getRawQuery() != null) {
      path += "?" + uri.getRawQuery();
    }
    long timestamp = clock.instant().getEpochSecond();
    String id = delivery.id().toString();
    RequestOptions options =
        new RequestOptions()
            .setHost(uri.getHost())
            .setPort(port)
            .setSsl(tls)
            .setURI(path)
            .setFollowRedirects(false);
    try {
      int code =
          client
              .request(
                  HttpMethod.POST,
                  SocketAddress.inetSocketAddress(port, address.getHostAddress()),
                  options)
              .putHeader("content-type", "application/json")
              .putHeader("webhook-id", id)
              .putHeader("webhook-timestamp", Long.toString(timestamp))
              .putHeader(
                  "webhook-signature",
                  WebhookSignature.header(delivery.secrets(), id, timestamp, delivery.payload()))
              .as(BodyCodec.none())
              .timeout(requestTimeout.toMillis())
              .sendBuffer(Buffer.buffer(delivery.payload()))
              .ifNoItem()
              .after(requestTimeout)
              .fail()
              .await()
              .atMost(requestTimeout.plusSeconds(1))
              .statusCode();
      return new Attempt(code, code >= 200 && code < 300 ? null : "answered " + code);
    } catch (RuntimeException e) {
      return new Attempt(null, describe(e));
    }
  }

  /** The failure's kind and message; never the URL's query, which may carry a token. */
  private static String describe(Throwable e) {
    Throwable cause = e;
    // The Mutiny await wraps the client's failure; the wrapper says nothing of what went wrong,
    // and the failure's own kind (SSLHandshakeException, ConnectException...) is what classifies.
    for (int depth = 0;
        depth < 5
            && cause.getCause() != null
            && (cause instanceof CompletionException || cause.getMessage() == null);
        depth++) {
      cause = cause.getCause();
    }
    String message = cause.getMessage() == null ? "" : ": " + cause.getMessage();
    return cause.getClass().getSimpleName() + message;
  }
}
