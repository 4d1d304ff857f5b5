package io.executionpoller.remote;

import static org.assertj.core.api.Assertions.assertThat;

import io.executionpoller.simulator.AmcSimulator;
import io.executionpoller.support.PostgresResource;
import io.executionpoller.support.TestClock;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Tokens that live 5 s (the simulator's lifetime is set so): the configured 5-minute refresh margin
 * is longer than the token's whole life, and must not make every call fetch a new one.
 */
@QuarkusTest
@TestProfile(AccessTokenProviderTest.ShortLivedTokens.class)
@WithTestResource(PostgresResource.class)
class AccessTokenProviderTest {

  private static final Duration AWAIT = Duration.ofSeconds(30);

  /** The simulator issues tokens valid for 5 s. */
  public static class ShortLivedTokens implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("poller.simulator.token-lifetime", "5S");
    }
  }

  @Inject AccessTokenProvider tokens;
  @Inject AmcSimulator simulator;
  @Inject TestClock clock;

  @BeforeEach
  void noCachedToken() {
    FreshRemoteState.forgetCredentials();
  }

  @Test
  void shouldCallTheTokenEndpointOnceForSeveralCallsWithinAShortLivedTokensLife() {
    int before = simulator.tokenCalls();

    String first = token();
    for (int second = 1; second <= 3; second++) {
      clock.advance(Duration.ofSeconds(1));
      assertThat(token()).as("at %d s", second).isEqualTo(first);
    }

    assertThat(simulator.tokenCalls() - before).as("token calls within its life").isEqualTo(1);
  }

  @Test
  void shouldRefreshAShortLivedTokenAFifthOfItsLifeBeforeItExpires() {
    int before = simulator.tokenCalls();
    String first = token();

    clock.advance(Duration.ofSeconds(4));
    String second = token();

    assertThat(second).isNotEqualTo(first);
    assertThat(simulator.tokenCalls() - before).isEqualTo(2);
  }

  @ParameterizedTest(name = "lifetime {0}, margin {1}: refreshed after {2}")
  @CsvSource({
    "PT1H, PT5M, PT55M", // LwA's hour: the configured margin
    "PT10M, PT5M, PT8M", // a margin over a fifth of the life is cut to a fifth
    "PT5S, PT5M, PT4S",
    "PT1H, PT0S, PT1H",
    "PT0S, PT5M, PT0S"
  })
  void shouldRefreshAtMostAFifthOfTheLifetimeBeforeExpiry(
      Duration lifetime, Duration margin, Duration refreshedAfter) {
    Instant issued = Instant.parse("2026-11-23T10:00:00Z");
    assertThat(AccessTokenProvider.refreshAt(issued, lifetime, margin))
        .isEqualTo(issued.plus(refreshedAfter));
  }

  private String token() {
    return tokens.token().await().atMost(AWAIT);
  }
}
