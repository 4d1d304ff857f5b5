package io.executionpoller.remote;

import io.executionpoller.metrics.PollerMetrics;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import jakarta.inject.Singleton;

/**
 * Times each HTTP request to AMC and Login with Amazon into
 * poller_remote_request_duration_seconds{operation,outcome}. The outcome is a class of answer, so
 * the label stays bounded: success (2xx), throttled (429), client_error (other 4xx), server_error
 * (5xx), other_status, timeout (no answer within the request deadline, or abandoned at the check's
 * deadline), connection_error, error.
 */
@Singleton
class RequestTiming {

  private final PollerMetrics metrics;

  RequestTiming(PollerMetrics metrics) {
    this.metrics = metrics;
  }

  /** Times {@code request} from its subscription (the send) to its answer or failure. */
  Uni<HttpResponse<Buffer>> time(String operation, Uni<HttpResponse<Buffer>> request) {
    String label = operation.replace(' ', '_');
    return Uni.createFrom()
        .deferred(
            () -> {
              Timer.Sample started = metrics.startTimer();
              return request
                  .invoke(
                      response ->
                          metrics.remoteRequestEnded(
                              started, label, ofStatus(response.statusCode())))
                  .onFailure()
                  .invoke(
                      failure ->
                          metrics.remoteRequestEnded(started, label, ofFailure(operation, failure)))
                  .onCancellation()
                  .invoke(() -> metrics.remoteRequestEnded(started, label, "timeout"));
            });
  }

  static String ofStatus(int status) {
    if (status / 100 == 2) {
      return "success";
    }
    if (status == 429) {
      return "throttled";
    }
    if (status / 100 == 4) {
      return "client_error";
    }
    if (status / 100 == 5) {
      return "server_error";
    }
    return "other_status";
  }

  private static String ofFailure(String operation, Throwable failure) {
    switch (RemoteFailures.transport(operation, failure).kind()) {
      case TIMEOUT:
        return "timeout";
      case CONNECTION:
        return "connection_error";
      default:
        return "error";
    }
  }
}
