package io.executionpoller.tracing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * Spans for the work done on one execution (a check, a submission, a result download, a
 * notification), each a child of the context the execution was registered in, so the registration's
 * trace, and the caller's if it sent a {@code traceparent}, shows everything that happened to it.
 * Every span names the execution by its attributes; nothing else about the work is recorded (no
 * query text, URL or error message: those may carry secrets or presigned URLs).
 */
@ApplicationScoped
public class ExecutionSpans {

  public static final AttributeKey<String> EXECUTION_ID =
      AttributeKey.stringKey("poller.execution.id");
  public static final AttributeKey<String> WORKFLOW_ID =
      AttributeKey.stringKey("poller.workflow.id");
  public static final AttributeKey<String> INSTANCE_ID =
      AttributeKey.stringKey("poller.amc.instance_id");
  public static final AttributeKey<String> REMOTE_ID =
      AttributeKey.stringKey("poller.amc.execution_id");
  public static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("poller.outcome");
  public static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

  private final Tracer tracer;

  ExecutionSpans(Tracer tracer) {
    this.tracer = tracer;
  }

  /**
   * {@code work} in a span named {@code name}, opened when the returned Uni is subscribed and ended
   * with its item (which {@code describe} may add attributes from), failure or cancellation. The
   * span is not made current on the reactive path: its callbacks run on other contexts, and nothing
   * under it creates spans of its own.
   */
  public <T> Uni<T> around(
      String name, TracedExecution execution, Supplier<Uni<T>> work, BiConsumer<Span, T> describe) {
    return Uni.createFrom()
        .deferred(
            () -> {
              Span span = start(name, execution);
              return work.get()
                  .onItemOrFailure()
                  .invoke(
                      (item, failure) -> {
                        if (failure != null) {
                          failed(span, failure);
                        } else {
                          describe.accept(span, item);
                        }
                        span.end();
                      })
                  .onCancellation()
                  .invoke(
                      () -> {
                        span.setAttribute(OUTCOME, "cancelled");
                        span.end();
                      });
            });
  }

  /**
   * Blocking {@code work} in a span that is current on this thread while it runs, so the log lines
   * it writes carry the span's trace and span ids.
   */
  public <T> T aroundBlocking(
      String name, TracedExecution execution, Supplier<T> work, BiConsumer<Span, T> describe) {
    Span span = start(name, execution);
    try (Scope scope = span.makeCurrent()) {
      T result = work.get();
      describe.accept(span, result);
      return result;
    } catch (RuntimeException | Error e) {
      failed(span, e);
      throw e;
    } finally {
      span.end();
    }
  }

  /** Marks {@code span} failed with the kind of failure only (its message may name a URL). */
  public static void failed(Span span, Throwable failure) {
    span.setStatus(StatusCode.ERROR);
    span.setAttribute(ERROR_TYPE, failure.getClass().getSimpleName());
  }

  private Span start(String name, TracedExecution execution) {
    SpanContext registered = TraceParent.parse(execution.traceparent());
    SpanBuilder builder = tracer.spanBuilder(name).setSpanKind(SpanKind.INTERNAL);
    if (registered.isValid()) {
      builder.setParent(Context.root().with(Span.wrap(registered)));
    } else {
      builder.setNoParent();
    }
    Span span = builder.startSpan();
    span.setAttribute(EXECUTION_ID, String.valueOf(execution.execution()));
    if (execution.workflow() != null) {
      span.setAttribute(WORKFLOW_ID, execution.workflow().toString());
    }
    if (execution.instance() != null) {
      span.setAttribute(INSTANCE_ID, execution.instance());
    }
    if (execution.remote() != null) {
      span.setAttribute(REMOTE_ID, execution.remote());
    }
    return span;
  }
}
