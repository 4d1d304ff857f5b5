package io.executionpoller.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.List;

/**
 * The W3C {@code traceparent} form of a span context, as an execution stores it: the context its
 * registration ran in, which its later spans continue. Parsing and printing go through the W3C
 * propagator, so a stored value is always one the propagator itself wrote.
 */
public final class TraceParent {

  public static final String HEADER = "traceparent";

  private static final TextMapGetter<String> ONE_HEADER =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(String carrier) {
          return List.of(HEADER);
        }

        @Override
        public String get(String carrier, String key) {
          return HEADER.equals(key) ? carrier : null;
        }
      };

  private TraceParent() {}

  /**
   * What a registration stores: the span it runs in (the HTTP server span, which continues a
   * caller's {@code traceparent} header); without one (tracing off), the header itself when it is
   * valid; otherwise null.
   */
  public static String ofRegistration(String header) {
    SpanContext current = Span.current().getSpanContext();
    if (current.isValid()) {
      return format(current);
    }
    SpanContext given = parse(header);
    return given.isValid() ? format(given) : null;
  }

  /** The context a stored value names; invalid when the value is null or not a traceparent. */
  public static SpanContext parse(String traceparent) {
    if (traceparent == null || traceparent.isBlank()) {
      return SpanContext.getInvalid();
    }
    Context extracted =
        W3CTraceContextPropagator.getInstance()
            .extract(Context.root(), traceparent.trim(), ONE_HEADER);
    return Span.fromContext(extracted).getSpanContext();
  }

  /** {@code 00-<trace id>-<span id>-<flags>}. */
  public static String format(SpanContext context) {
    return "00-"
        + context.getTraceId()
        + "-"
        + context.getSpanId()
        + "-"
        + context.getTraceFlags().asHex();
  }
}
