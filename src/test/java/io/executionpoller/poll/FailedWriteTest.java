package io.executionpoller.poll;

import static org.assertj.core.api.Assertions.assertThat;

import io.executionpoller.simulator.AmcSimulator;
import io.executionpoller.simulator.ExecutionScript;
import io.executionpoller.support.Fixtures;
import io.executionpoller.support.PostgresResource;
import io.executionpoller.support.TestClock;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A write that fails in the database hands the lease back instead of holding it to expiry. */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class FailedWriteTest {

  private static final Duration AWAIT = Duration.ofSeconds(60);

  @Inject PollCycle cycle;
  @Inject AmcSimulator simulator;
  @Inject Fixtures fixtures;
  @Inject TestClock clock;

  @BeforeEach
  void clean() {
    fixtures.reset();
  }

  @AfterEach
  void dropTrigger() {
    fixtures.update("DROP TRIGGER IF EXISTS refuse_success_trg ON workflow_executions");
    fixtures.update("DROP FUNCTION IF EXISTS refuse_success()");
  }

  @Test
  void shouldReleaseTheLeaseWhenWritingAnOutcomeFails() {
    UUID workflow = fixtures.savedWorkflow("wf_unwritable");
    String remote =
        simulator.preload(
            Fixtures.INSTANCE,
            "wf_unwritable",
            ExecutionScript.succeeds(Duration.ZERO, Duration.ofSeconds(20), 1));
    UUID execution = fixtures.track(workflow, remote);
    cycle.runOnce().await().atMost(AWAIT);
    assertThat(fixtures.status(execution)).isEqualTo("RUNNING");
    // The database refuses the SUCCESS write (as a constraint or a lost connection would).
    fixtures.update(
        "CREATE FUNCTION refuse_success() RETURNS trigger AS $$ BEGIN"
            + " IF NEW.status = 'SUCCESS' THEN RAISE EXCEPTION 'refused by test'; END IF;"
            + " RETURN NEW; END; $$ LANGUAGE plpgsql");
    fixtures.update(
        "CREATE TRIGGER refuse_success_trg BEFORE UPDATE ON workflow_executions"
            + " FOR EACH ROW EXECUTE FUNCTION refuse_success()");
    clock.advance(Duration.ofSeconds(30));
    Instant now = clock.instant();

    cycle.runOnce().await().atMost(AWAIT);

    assertThat(fixtures.status(execution)).isEqualTo("RUNNING");
    assertThat(fixtures.execution(execution).get("lease_owner")).isNull();
    assertThat(fixtures.instant(execution, "next_poll_at")).isEqualTo(now.plusSeconds(15));

    dropTrigger();
    clock.advance(Duration.ofSeconds(15));
    cycle.runOnce().await().atMost(AWAIT);
    assertThat(fixtures.status(execution)).isEqualTo("SUCCESS");
  }
}
