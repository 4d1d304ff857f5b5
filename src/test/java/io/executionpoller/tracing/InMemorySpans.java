package io.executionpoller.tracing;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.quarkus.arc.Unremovable;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The tests' span exporter: spans kept in memory for the tests to read. A test-scope bean, so the
 * application's own {@link NoExportUntilConfigured} and Quarkus' OTLP exporter stay what production
 * runs; the batch processor hands spans over every few milliseconds in the test profile.
 */
@Singleton
public class InMemorySpans {

  @Produces
  @Singleton
  @Unremovable
  InMemorySpanExporter exporter() {
    return InMemorySpanExporter.create();
  }
}
