package io.executionpoller.results;

import static org.assertj.core.api.Assertions.assertThat;

import io.executionpoller.support.Fixtures;
import io.executionpoller.support.PostgresResource;
import io.executionpoller.support.TestClock;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Download leases expire on the database clock: a replica whose clock runs ahead waits its turn.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class ResultLeaseClockTest {

  private static final Duration LEASE = Duration.ofMinutes(2);

  @Inject ResultStore store;
  @Inject Results results;
  @Inject Fixtures fixtures;
  @Inject TestClock clock;

  private static final int MAX_ATTEMPTS = 5;

  @BeforeEach
  void clean() {
    fixtures.reset();
  }

  @Test
  void shouldNotTakeADownloadWhoseLeaseIsLiveWhenItsClockRunsAheadOfTheLease() throws Exception {
    UUID execution = results.succeeded("wf_download_skew", 3, null);
    assertThat(store.claim("replica-punctual", clock.instant(), LEASE, 10, MAX_ATTEMPTS).claims())
        .hasSize(1);

    // A replica whose clock runs past the holder's lease (a minute ahead, and 61 s into the lease).
    assertThat(
            store
                .claim("replica-fast", clock.instant().plusSeconds(121), LEASE, 10, MAX_ATTEMPTS)
                .claims())
        .as("the lease is live on the database's clock")
        .isEmpty();

    assertThat(results.result(execution).get("lease_owner")).isEqualTo("replica-punctual");
  }
}
