package io.executionpoller.remote;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * SmallRye Fault Tolerance publishes metrics for the {@link CallGuards} (ft_retry_*, ft_timeout_*,
 * tagged method="amc-request-deadline" or "amc-read-repeats"). One of them is named in camelCase
 * (ft.timeout.executionDuration), which Prometheus' naming rules and promtool reject; it is
 * published as ft_timeout_execution_duration_seconds instead.
 */
@Singleton
class FaultToleranceMeters {

  static final String LIBRARY_NAME = "ft.timeout.executionDuration";
  static final String PUBLISHED_NAME = "ft.timeout.execution.duration";

  @Produces
  @Singleton
  MeterFilter snakeCaseTimeoutDuration() {
    return new MeterFilter() {
      @Override
      public Meter.Id map(Meter.Id id) {
        return LIBRARY_NAME.equals(id.getName()) ? id.withName(PUBLISHED_NAME) : id;
      }
    };
  }
}
