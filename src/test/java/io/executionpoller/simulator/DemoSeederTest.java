package io.executionpoller.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.executionpoller.support.Fixtures;
import io.executionpoller.support.PostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Dev mode's demo data: four workflows on one demo instance, one PENDING execution each. */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class DemoSeederTest {

  @Inject DemoSeeder seeder;
  @Inject Fixtures fixtures;

  @Test
  void shouldRegisterFourDemoExecutionsWithTheirAuditTrail() {
    fixtures.reset();

    seeder.seedNow().await().atMost(Duration.ofSeconds(30));

    assertThat(
            fixtures.query(
                "SELECT w.amc_workflow_id, e.status FROM workflow_executions e"
                    + " JOIN workflows w ON w.id = e.workflow_id ORDER BY w.amc_workflow_id"))
        .extracting(row -> row.get("amc_workflow_id") + ":" + row.get("status"))
        .containsExactly(
            "demo_bad_query:PENDING",
            "demo_campaign_reach:PENDING",
            "demo_cancelled:PENDING",
            "demo_publishing:PENDING");
    assertThat(fixtures.count("SELECT count(*) FROM execution_events WHERE type = 'REGISTERED'"))
        .isEqualTo(4);
    assertThat(
            fixtures.count("SELECT count(*) FROM amc_instances WHERE instance_id = 'amcdemo001'"))
        .isEqualTo(1);
  }
}
