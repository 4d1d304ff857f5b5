package io.executionpoller.remote;

import io.vertx.core.tracing.TracingPolicy;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.web.client.WebClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.concurrent.TimeUnit;

/** One pooled client for AMC calls, with connect and idle timeouts on every connection. */
@ApplicationScoped
class AmcWebClientProducer {

  @Produces
  @Singleton
  @AmcHttp
  WebClient amcWebClient(Vertx vertx, AmcConfig config) {
    WebClientOptions options =
        new WebClientOptions()
            .setConnectTimeout((int) config.connectTimeout().toMillis())
            .setIdleTimeout((int) config.idleTimeout().toMillis())
            .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
            .setMaxPoolSize(config.maxConnections())
            .setKeepAlive(true)
            .setFollowRedirects(false)
            .setUserAgent("execution-poller")
            // No client spans and no traceparent header: our own spans cover these calls, and a
            // client span would record the URL (a presigned one carries its signature).
            .setTracingPolicy(TracingPolicy.IGNORE);
    return WebClient.create(vertx, options);
  }

  void close(@Disposes @AmcHttp WebClient client) {
    client.close();
  }
}
