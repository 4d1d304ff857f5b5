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
 * endpoint is set, sends to its default endpoint, http://localhost:4317/, so a daemon without a
 * collector would try to connect (and log its failures) every few seconds. Quarkus installs that
 * exporter only when no other {@link SpanExporter} bean can be looked up; this one can as long as
 * both endpoint settings still read that default (Quarkus supplies it as the settings' value, so
 * "missing" never happens), and drops what it is handed. Spans are still made: their ids go into
 * the logs. A collector on this host must therefore be named otherwise (http://127.0.0.1:4317).
 */
@Singleton
@Unremovable
@LookupIfProperty(
    name = "quarkus.otel.exporter.otlp.traces.endpoint",
    stringValue = NoExportUntilConfigured.DEFAULT_ENDPOINT,
    lookupIfMissing = true)
@LookupIfProperty(
    name = "quarkus.otel.exporter.otlp.endpoint",
    stringValue = NoExportUntilConfigured.DEFAULT_ENDPOINT,
    lookupIfMissing = true)
class NoExportUntilConfigured implements SpanExporter {

  /** The value Quarkus gives both endpoint settings when none is configured. */
  static final String DEFAULT_ENDPOINT = "http://localhost:4317/";

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
