package io.executionpoller.results;

import io.executionpoller.results.parse.HostAllowList;
import io.executionpoller.results.parse.RedactedUrl;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.tracing.TracingPolicy;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.streams.WriteStream;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import io.vertx.mutiny.ext.web.client.predicate.ResponsePredicateResult;
import io.vertx.mutiny.ext.web.codec.BodyCodec;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Opens result files from their presigned URLs: only from allowed hosts, only over https unless
 * configured otherwise, never following a redirect. The body streams into a {@link BodyPipe}, so
 * the caller reads it on its own thread at its own pace. A presigned URL is a credential: only its
 * redacted form (no query string) appears in errors.
 */
@ApplicationScoped
class ResultFetcher {

  /** Unread body bytes held before the socket is paused. */
  private static final long PIPE_HIGH_WATER = 1024 * 1024;

  private final WebClient client;
  private final HostAllowList allowList;
  private final ResultsConfig config;

  ResultFetcher(Vertx vertx, ResultsConfig config) {
    this.config = config;
    this.allowList = HostAllowList.of(config.allowedHosts());
    WebClientOptions options =
        new WebClientOptions()
            .setConnectTimeout(10_000)
            .setIdleTimeout((int) config.idleTimeout().toMillis())
            .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
            .setMaxPoolSize(2 * Math.max(1, config.maxConcurrentDownloads()))
            .setKeepAlive(true)
            .setFollowRedirects(false)
            // Bytes arrive as sent: gzip is undone by the content stream, under its ratio guard.
            .setTryUseCompression(false)
            .setUserAgent("execution-poller")
            // No client spans and no traceparent header: our own spans cover these calls, and a
            // client span would record the URL (a presigned one carries its signature).
            .setTracingPolicy(TracingPolicy.IGNORE);
    this.client = WebClient.create(vertx, options);
  }

  @PreDestroy
  void close() {
    client.close();
  }

  /**
   * Starts the transfer of one file and waits (at most the idle timeout) for the response head. The
   * returned transfer's body must be read to the end or the transfer closed.
   */
  Transfer open(String url) throws DownloadFailure {
    URI uri = checked(url);
    BodyPipe pipe = new BodyPipe(PIPE_HIGH_WATER);
    CompletableFuture<Head> head = new CompletableFuture<>();
    Cancellable transfer =
        client
            .getAbs(url)
            .followRedirects(false)
            .idleTimeout(config.idleTimeout().toMillis())
            .expect(response -> expectOk(response, head))
            .as(BodyCodec.pipe(WriteStream.newInstance(pipe), true))
            .send()
            .subscribe()
            .with(
                done -> pipe.finish(),
                failure -> {
                  head.completeExceptionally(failure);
                  pipe.fail(DownloadFailure.transport(RedactedUrl.of(url), failure));
                });
    try {
      Head answered = head.get(config.idleTimeout().toMillis(), TimeUnit.MILLISECONDS);
      if (answered.status() != 200) {
        transfer.cancel();
        throw DownloadFailure.refused(RedactedUrl.of(url), answered.status());
      }
      return new Transfer(uri, answered, pipe.input(), transfer);
    } catch (TimeoutException e) {
      transfer.cancel();
      throw DownloadFailure.transport(
          RedactedUrl.of(url),
          new TimeoutException("no answer within " + config.idleTimeout().toSeconds() + " s"));
    } catch (ExecutionException e) {
      transfer.cancel();
      throw DownloadFailure.transport(RedactedUrl.of(url), e.getCause());
    } catch (InterruptedException e) {
      transfer.cancel();
      Thread.currentThread().interrupt();
      throw DownloadFailure.transport(RedactedUrl.of(url), e);
    }
  }

  private static ResponsePredicateResult expectOk(
      HttpResponse<Void> response, CompletableFuture<Head> head) {
    head.complete(
        new Head(
            response.statusCode(),
            response.getHeader("Content-Type"),
            response.getHeader("Content-Encoding"),
            parseLength(response.getHeader("Content-Length"))));
    return response.statusCode() == 200
        ? ResponsePredicateResult.success()
        : ResponsePredicateResult.failure("HTTP " + response.statusCode());
  }

  private URI checked(String url) throws DownloadFailure {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw DownloadFailure.notAllowed(RedactedUrl.of(url), "is not a valid URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !(scheme.equals("http") && !config.requireHttps())) {
      throw DownloadFailure.notAllowed(RedactedUrl.of(url), "must use https");
    }
    if (uri.getHost() == null || !allowList.allows(uri.getHost())) {
      throw DownloadFailure.notAllowed(
          RedactedUrl.of(url), "is not on an allowed host (poller.results.allowed-hosts)");
    }
    return uri;
  }

  private static long parseLength(String value) {
    if (value == null) {
      return -1;
    }
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Status line and the headers that matter, as the response began. */
  record Head(int status, String contentType, String contentEncoding, long contentLength) {

    boolean declaresGzip() {
      return contentEncoding != null && contentEncoding.toLowerCase(Locale.ROOT).contains("gzip");
    }
  }

  /** A running transfer: its head, its body as a stream, and a way to abandon it. */
  record Transfer(URI uri, Head head, InputStream body, Cancellable cancellable)
      implements AutoCloseable {

    @Override
    public void close() {
      cancellable.cancel();
      try {
        body.close();
      } catch (java.io.IOException e) {
        // Closing the pipe cannot fail in a way that matters; the transfer is cancelled above.
      }
    }
  }
}
