package io.executionpoller.tracing;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.quarkus.arc.Unremovable;
import io.quarkus.arc.lookup.LookupIfProperty;
import jakarta.inject.Singleton;
import java.util.Collection;

/**
 * Keeps spans in the process until an OTLP endpoint is configured. Quarkus' OTLP exporter, when no
 * endpoint is set, sends to http://localhost:4317, so a daemon without a collector would try to
 * connect (and log its failures) every few seconds. Quarkus installs that exporter only when no
 * other {@link SpanExporter} bean can be looked up; this one can, as long as neither endpoint
 * setting is given, and drops what it is handed. Spans are still made: their ids go into the logs.
 */
@Singleton
@Unremovable
@LookupIfProperty(
    name = "quarkus.otel.exporter.otlp.traces.endpoint",
    stringValue = NoExportUntilConfigured.UNSET,
    lookupIfMissing = true)
@LookupIfProperty(
    name = "quarkus.otel.exporter.otlp.endpoint",
    stringValue = NoExportUntilConfigured.UNSET,
    lookupIfMissing = true)
class NoExportUntilConfigured implements SpanExporter {

  /** No endpoint is ever this; it only gives the conditions above a value to compare with. */
  static final String UNSET = "unset";

  @Override
  public CompletableResultCode export(Collection<SpanData> spans) {
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public CompletableResultCode flush() {
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public CompletableResultCode shutdown() {
    return CompletableResultCode.ofSuccess();
  }
}
