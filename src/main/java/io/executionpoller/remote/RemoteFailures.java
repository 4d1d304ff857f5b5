package io.executionpoller.remote;

import io.executionpoller.failure.FailureFacts;
import io.vertx.core.VertxException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * Turns transport failures into {@link RemoteCallException}s with a kind the classifier trusts, and
 * any failure into the {@link FailureFacts} the classifier reads.
 */
public final class RemoteFailures {

  private RemoteFailures() {}

  /** What is certain about a failure, for {@link io.executionpoller.failure.ErrorClassifier}. */
  public static FailureFacts facts(Throwable failure) {
    if (failure instanceof RemoteCallException remote) {
      FailureFacts.Operation operation =
          switch (remote.operation()) {
            case "create execution", "validate execution" -> FailureFacts.Operation.CREATE;
            case "token refresh" -> FailureFacts.Operation.TOKEN;
            default -> FailureFacts.Operation.CHECK;
          };
      FailureFacts.Transport transport =
          switch (remote.kind()) {
            case HTTP_STATUS -> FailureFacts.Transport.NONE;
            case TIMEOUT -> FailureFacts.Transport.TIMEOUT;
            case CONNECTION -> FailureFacts.Transport.CONNECTION;
            case MALFORMED_RESPONSE -> FailureFacts.Transport.MALFORMED;
            case NOT_CONFIGURED -> FailureFacts.Transport.NOT_CONFIGURED;
            case ENDPOINT_REFUSED -> FailureFacts.Transport.ENDPOINT_REFUSED;
            case UNEXPECTED -> FailureFacts.Transport.UNEXPECTED;
          };
      return new FailureFacts(transport, remote.httpStatus(), operation, remote.body());
    }
    if (failure instanceof TimeoutException) {
      return new FailureFacts(
          FailureFacts.Transport.TIMEOUT, 0, FailureFacts.Operation.CHECK, null);
    }
    return new FailureFacts(
        FailureFacts.Transport.UNEXPECTED, 0, FailureFacts.Operation.CHECK, null);
  }

  static RemoteCallException transport(String operation, Throwable failure) {
    if (failure instanceof RemoteCallException remote) {
      return remote;
    }
    RemoteCallException.Kind kind =
        isTimeout(failure) ? RemoteCallException.Kind.TIMEOUT : kindOf(failure);
    return RemoteCallException.of(
        operation, kind, failure.getClass().getSimpleName() + ": " + failure.getMessage(), null);
  }

  private static boolean isTimeout(Throwable failure) {
    return failure instanceof TimeoutException
        || failure instanceof io.netty.handler.timeout.TimeoutException
        || (failure instanceof VertxException
            && String.valueOf(failure.getMessage()).contains("timeout"));
  }

  private static RemoteCallException.Kind kindOf(Throwable failure) {
    // Refused, reset, DNS and TLS failures all surface as one of these.
    if (failure instanceof ConnectException
        || failure instanceof UnknownHostException
        || failure instanceof SSLException
        || failure instanceof ClosedChannelException
        || failure instanceof java.io.IOException
        || failure instanceof VertxException) {
      return RemoteCallException.Kind.CONNECTION;
    }
    return RemoteCallException.Kind.UNEXPECTED;
  }
}
