package io.executionpoller.notify;

import io.executionpoller.tracing.ExecutionSpans;
import io.executionpoller.tracing.TracedExecution;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import jakarta.inject.Singleton;
import java.util.function.Supplier;

/**
 * One span per webhook delivery attempt, a child of the trace the execution was registered in, so
 * that trace shows its notifications beside its checks and download. The span names the delivery,
 * its event type, subscription and attempt, and how the attempt ended by kind only: the class of
 * the receiver's HTTP status, or the kind of failure. Never the URL (its query may carry the
 * receiver's token), a secret, the body or an error message.
 *
 * <p>The span stays in this process: the post itself makes no client span and sends no {@code
 * traceparent} (WebhookSender's TracingPolicy.IGNORE), because receivers are third parties that
 * should learn neither our trace ids nor that an execution was traced.
 */
@Singleton
class DeliverySpans {

  static final String NAME = "poller.webhook.delivery";
  static final AttributeKey<String> DELIVERY_ID = AttributeKey.stringKey("poller.delivery.id");
  static final AttributeKey<String> EVENT_TYPE = AttributeKey.stringKey("poller.event.type");
  static final AttributeKey<String> SUBSCRIPTION_ID =
      AttributeKey.stringKey("poller.subscription.id");
  static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("poller.delivery.attempt");
  static final AttributeKey<String> STATUS_CLASS =
      AttributeKey.stringKey("http.response.status_class");

  private final ExecutionSpans spans;

  DeliverySpans(ExecutionSpans spans) {
    this.spans = spans;
  }

  /**
   * Runs {@code send} (one blocking attempt, on a sender thread) in the attempt's span; the span is
   * an error unless a 2xx answered.
   */
  WebhookSender.Attempt around(ClaimedDelivery delivery, Supplier<WebhookSender.Attempt> send) {
    TracedExecution execution =
        new TracedExecution(delivery.executionId(), null, null, null, delivery.traceparent());
    return spans.aroundBlocking(
        NAME,
        execution,
        () -> {
          Span span = Span.current();
          span.setAttribute(DELIVERY_ID, delivery.id().toString());
          span.setAttribute(EVENT_TYPE, delivery.eventType());
          span.setAttribute(SUBSCRIPTION_ID, delivery.subscriptionId().toString());
          span.setAttribute(ATTEMPT, delivery.attempts() + 1L);
          return send.get();
        },
        DeliverySpans::describe);
  }

  private static void describe(Span span, WebhookSender.Attempt attempt) {
    if (attempt.statusCode() != null) {
      span.setAttribute(STATUS_CLASS, attempt.statusCode() / 100 + "xx");
    }
    if (attempt.delivered()) {
      span.setAttribute(ExecutionSpans.OUTCOME, "delivered");
      return;
    }
    span.setAttribute(ExecutionSpans.OUTCOME, "failed");
    span.setAttribute(ExecutionSpans.ERROR_TYPE, failureKind(attempt));
    span.setStatus(StatusCode.ERROR);
  }

  /**
   * The failure's kind from the attempt's error, which starts with it ("answered 503", "refused:
   * ...", "looking up ... timed out", or an exception's simple name then ": message"); only the
   * leading word is kept, so no host, address or message reaches the span.
   */
  static String failureKind(WebhookSender.Attempt attempt) {
    if (attempt.statusCode() != null) {
      return "http_" + attempt.statusCode() / 100 + "xx";
    }
    String error = attempt.error() == null ? "" : attempt.error();
    if (error.startsWith("refused")) {
      return "refused";
    }
    if (error.startsWith("looking up")) {
      return "lookup_timeout";
    }
    String first = error.split("[:\\s]", 2)[0];
    return first.matches("[A-Za-z0-9_$]{1,80}") ? first : "other";
  }
}
