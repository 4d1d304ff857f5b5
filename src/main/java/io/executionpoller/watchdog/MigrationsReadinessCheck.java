package io.executionpoller.watchdog;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;

/**
 * Readiness DOWN while the schema is behind the code (migrations pending, for example after a
 * restore of an older database) or cannot be read. Flyway migrates at start, so this normally stays
 * UP; it guards the cases where that did not happen on this database.
 */
@Readiness
@ApplicationScoped
public class MigrationsReadinessCheck implements HealthCheck {

  private final Flyway flyway;

  MigrationsReadinessCheck(Flyway flyway) {
    this.flyway = flyway;
  }

  @Override
  public HealthCheckResponse call() {
    HealthCheckResponseBuilder response = HealthCheckResponse.named("migrations");
    try {
      var info = flyway.info();
      MigrationInfo current = info.current();
      int pending = info.pending().length;
      return response
          .status(current != null && pending == 0)
          .withData("version", current == null ? "none" : current.getVersion().getVersion())
          .withData("pending", pending)
          .build();
    } catch (RuntimeException e) {
      // The database is unreachable or the history table unreadable: not ready either way.
      return response.down().withData("error", e.getClass().getSimpleName()).build();
    }
  }
}
