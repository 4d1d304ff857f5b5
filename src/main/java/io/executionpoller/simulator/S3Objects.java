package io.executionpoller.simulator;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.Locale;
import java.util.UUID;

/**
 * The S3 side of result delivery: answers GETs of presigned result URLs with the execution's result
 * files, after checking the signature and expiry as S3 would, and injects scripted {@link
 * S3Fault}s. Plain files on disk go out with sendFile; everything else streams through {@link
 * S3Transfer}.
 */
final class S3Objects {

  private static final String REDIRECT_HOST = "https://elsewhere.example.com";

  private final AmcSimulator simulator;
  private final SimulatorConfig config;
  private final Vertx vertx;
  private final UrlSigner signer;

  S3Objects(AmcSimulator simulator, SimulatorConfig config, Vertx vertx, UrlSigner signer) {
    this.simulator = simulator;
    this.config = config;
    this.vertx = vertx;
    this.signer = signer;
  }

  void get(RoutingContext ctx) {
    String executionId = ctx.pathParam("executionId");
    simulator.calls().recordS3Get(executionId);
    long issuedAt;
    try {
      issuedAt = Long.parseLong(ctx.queryParams().get("X-Amz-Date"));
    } catch (NumberFormatException e) {
      denied(ctx, "Query-string authentication requires the X-Amz-Date parameter");
      return;
    }
    String signature = ctx.queryParams().get("X-Amz-Signature");
    if (!signer.sign(ctx.request().path(), issuedAt).equals(signature)) {
      denied(ctx, "The request signature we calculated does not match the signature you provided.");
      return;
    }
    if (simulator
        .now()
        .isAfter(Instant.ofEpochSecond(issuedAt).plus(config.downloadUrlLifetime()))) {
      denied(ctx, "Request has expired");
      return;
    }
    SimulatedExecution execution = simulator.executions().findAnywhere(executionId).orElse(null);
    if (execution == null) {
      denied(ctx, "Access Denied");
      return;
    }
    ResultFile file =
        simulator.executions().resultFile(execution, ctx.pathParam("file")).orElse(null);
    if (file == null) {
      error(ctx, 404, "NoSuchKey", "The specified key does not exist.");
      return;
    }
    S3Fault fault = simulator.faults().nextS3(executionId);
    switch (fault) {
      case EXPIRED -> denied(ctx, "Request has expired");
      case SERVER_ERROR ->
          error(ctx, 500, "InternalError", "We encountered an internal error. Please try again.");
      case REDIRECT ->
          ctx.response()
              .setStatusCode(302)
              .putHeader("Location", REDIRECT_HOST + ctx.request().uri())
              .end();
      default -> serve(ctx, file, fault);
    }
  }

  /** Finds the plain length off the event loop (a pass over the rows, or a stat), then sends. */
  private void serve(RoutingContext ctx, ResultFile file, S3Fault fault) {
    vertx
        .executeBlocking(() -> ChunkSource.length(file.content()), false)
        .onComplete(
            length -> {
              if (ctx.response().closed()) {
                return;
              }
              if (length.failed()) {
                error(ctx, 500, "InternalError", "We encountered an internal error.");
                return;
              }
              send(ctx, file, fault, length.result());
            });
  }

  private void send(RoutingContext ctx, ResultFile file, S3Fault fault, long length) {
    HttpServerResponse response =
        ctx.response()
            .setStatusCode(200)
            .putHeader("Content-Type", file.servedContentType())
            .putHeader("x-amz-request-id", requestId());
    boolean compressed = file.gzip() != ResultFile.GzipMode.NONE;
    if (file.gzip() == ResultFile.GzipMode.CONTENT_ENCODING) {
      response.putHeader("Content-Encoding", "gzip");
    }
    if (!compressed
        && fault == S3Fault.NONE
        && file.content() instanceof ResultFile.OnDisk onDisk) {
      // Zero copy: the kernel moves the bytes, and sendFile sets the Content-Length.
      response.sendFile(onDisk.path().toString());
      return;
    }
    if (compressed) {
      // The compressed length is known only at the end.
      response.setChunked(true);
    } else {
      response.putHeader("Content-Length", String.valueOf(length));
    }
    new S3Transfer(
            ctx,
            ChunkSource.open(file.content(), vertx),
            compressed ? new GzipEncoder() : null,
            fault,
            length,
            simulator.held(),
            config.faults().stallFor())
        .start();
  }

  private static void denied(RoutingContext ctx, String message) {
    error(ctx, 403, "AccessDenied", message);
  }

  private static void error(RoutingContext ctx, int status, String code, String message) {
    String xml =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>"
            + code
            + "</Code><Message>"
            + message
            + "</Message><RequestId>"
            + requestId()
            + "</RequestId></Error>";
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/xml")
        .end(Buffer.buffer(xml));
  }

  /** S3 request ids are 16 upper-case hex characters. */
  private static String requestId() {
    return UUID.randomUUID().toString().replace("-", "").substring(0, 16).toUpperCase(Locale.ROOT);
  }
}
