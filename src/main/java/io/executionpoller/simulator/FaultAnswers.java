package io.executionpoller.simulator;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Answers an AMC call with an injected {@link Fault} in place of, or on top of, the operation's
 * real answer: throttles and server errors in AMC's several body shapes, broken bodies, dropped and
 * hanging connections, and calls held until a test releases them.
 */
final class FaultAnswers {

  private static final String HTML_ERROR_PAGE =
      "<!DOCTYPE html>\n<html><head><title>Service Unavailable</title></head><body>"
          + "<h1>Service Unavailable</h1><p>The server is temporarily unable to service your"
          + " request. Please try again later.</p></body></html>\n";

  /** {@link Fault#ERROR_500_BINARY}'s body: NULs, invalid UTF-8 and an encoded lone surrogate. */
  private static final byte[] BINARY_ERROR_BODY = binaryErrorBody();

  private final Vertx vertx;
  private final FaultPlan faults;
  private final TokenIssuer tokens;
  private final HeldConnections held;

  FaultAnswers(Vertx vertx, AmcSimulator simulator) {
    this.vertx = vertx;
    this.faults = simulator.faults();
    this.tokens = simulator.tokens();
    this.held = simulator.held();
  }

  /** Answers the call authorized by {@code token} with {@code fault}. */
  void answer(RoutingContext ctx, Fault fault, String token, AmcOperation action) {
    switch (fault) {
      case THROTTLE_RETRY_AFTER -> {
        long millis = faults.retryAfter().toMillis();
        ctx.response().putHeader("Retry-After", String.valueOf((millis + 999) / 1000));
        faultAnswer(
            ctx, 429, new JsonObject().put("code", "429").put("details", "Too Many Requests"));
      }
      case THROTTLE_MESSAGE -> {
        ctx.response().putHeader("amazon-advertising-api-throttled", "true");
        faultAnswer(ctx, 429, new JsonObject().put("message", "Too Many Requests"));
      }
      case THROTTLE_CODE ->
          faultAnswer(
              ctx, 429, new JsonObject().put("code", "429").put("details", "Rate exceeded"));
      case ERROR_500 ->
          faultAnswer(
              ctx,
              500,
              new JsonObject().put("code", "500").put("details", "Internal Server Error"));
      case ERROR_500_BINARY -> {
        ctx.response().putHeader("x-amzn-RequestId", UUID.randomUUID().toString());
        ctx.response()
            .setStatusCode(500)
            .putHeader("Content-Type", "application/json")
            .end(Buffer.buffer(BINARY_ERROR_BODY));
      }
      case ERROR_502 -> faultAnswer(ctx, 502, new JsonObject().put("message", "Bad Gateway"));
      case ERROR_504 ->
          faultAnswer(ctx, 504, new JsonObject().put("message", "Endpoint request timed out"));
      case HANG -> hang(ctx);
      case RESET -> drop(ctx);
      case MALFORMED ->
          ctx.response()
              .setStatusCode(200)
              .putHeader("Content-Type", "text/html; charset=UTF-8")
              .end(HTML_ERROR_PAGE);
      case TRUNCATED -> {
        // The real status and the first half of the real body: a complete HTTP answer whose JSON
        // breaks off, as a proxy cutting the upstream short would deliver it.
        Answer real = action.perform(ctx, false);
        String encoded = real.body().encode();
        ctx.response()
            .setStatusCode(real.status())
            .putHeader("Content-Type", "application/json")
            .end(encoded.substring(0, encoded.length() / 2));
      }
      case TOKEN_EXPIRED -> {
        tokens.invalidate(token);
        faultAnswer(
            ctx, 401, new JsonObject().put("code", "401").put("details", "Authentication failed"));
      }
      case LOST_CREATE -> {
        action.perform(ctx, true);
        drop(ctx);
      }
      case HELD -> hold(ctx, action);
    }
  }

  /** Ends the exchange without an answer: closes the connection (HTTP/2: resets the stream). */
  static void drop(RoutingContext ctx) {
    if (ctx.request().version() == HttpVersion.HTTP_2) {
      ctx.response().reset();
    } else {
      ctx.request().connection().close();
    }
  }

  private static void faultAnswer(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().putHeader("x-amzn-RequestId", UUID.randomUUID().toString());
    Answer.json(ctx, status, body);
  }

  /**
   * Holds the request unanswered. A timer, not a sleep, bounds it, and the simulator can release it
   * on reset(); a client that gives up and closes its side ends it at once.
   */
  private void hang(RoutingContext ctx) {
    Context context = vertx.getOrCreateContext();
    // Closing must happen on the request's own event loop, whichever thread calls reset().
    Runnable release = () -> context.runOnContext(v -> drop(ctx));
    long timer =
        vertx.setTimer(
            faults.hangFor().toMillis(),
            id -> {
              held.hangEnded(release);
              drop(ctx);
            });
    held.hangStarted(release);
    ctx.addEndHandler(
        done -> {
          vertx.cancelTimer(timer);
          held.hangEnded(release);
        });
  }

  /**
   * Holds the request without effect until the test releases it, then performs and answers it.
   * Bounded like a HANG; a client that gives up ends it at once, and then nothing is done.
   */
  private void hold(RoutingContext ctx, AmcOperation action) {
    Context context = vertx.getOrCreateContext();
    AtomicBoolean over = new AtomicBoolean();
    HeldCall call = new HeldCall(ctx, action, context, over);
    call.timer =
        vertx.setTimer(
            faults.hangFor().toMillis(),
            id -> {
              if (over.compareAndSet(false, true)) {
                drop(ctx);
              }
            });
    ctx.addEndHandler(
        done -> {
          over.set(true);
          vertx.cancelTimer(call.timer);
          held.heldEnded(call);
        });
    held.heldStarted(call);
  }

  /** A call held by HELD; acts on the request's own event loop, whichever thread releases it. */
  private final class HeldCall implements HeldResponse {
    private final RoutingContext ctx;
    private final AmcOperation action;
    private final Context context;
    private final AtomicBoolean over;
    private volatile long timer;

    HeldCall(RoutingContext ctx, AmcOperation action, Context context, AtomicBoolean over) {
      this.ctx = ctx;
      this.action = action;
      this.context = context;
      this.over = over;
    }

    @Override
    public void resume() {
      context.runOnContext(
          v -> {
            if (over.compareAndSet(false, true)) {
              vertx.cancelTimer(timer);
              action.perform(ctx, true).writeTo(ctx);
            }
          });
    }

    @Override
    public void abort() {
      context.runOnContext(
          v -> {
            if (over.compareAndSet(false, true)) {
              vertx.cancelTimer(timer);
              drop(ctx);
            }
          });
    }
  }

  private static byte[] binaryErrorBody() {
    byte[] start =
        "{\"code\":\"500\",\"details\":\"Internal\\u0000Server Error \""
            .getBytes(StandardCharsets.US_ASCII);
    byte[] binary = {0, 0, (byte) 0xff, (byte) 0xfe, (byte) 0xc3, (byte) 0xed, (byte) 0xa0, 0x01};
    byte[] end = "}".getBytes(StandardCharsets.US_ASCII);
    byte[] body = new byte[start.length + binary.length + end.length];
    System.arraycopy(start, 0, body, 0, start.length);
    System.arraycopy(binary, 0, body, start.length, binary.length);
    System.arraycopy(end, 0, body, start.length + binary.length, end.length);
    return body;
  }
}
