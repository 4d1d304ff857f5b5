package io.executionpoller.remote;

import io.vertx.core.VertxException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/** Turns transport failures into {@link RemoteCallException}s with a kind the classifier trusts. */
final class RemoteFailures {

  private RemoteFailures() {}

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
