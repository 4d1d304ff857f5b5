package io.executionpoller.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.executionpoller.failure.BackoffPolicy;
import io.executionpoller.failure.ErrorType;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ResultRetryPolicyTest {

  private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
  private static final ResultRetryPolicy POLICY =
      new ResultRetryPolicy(
          5,
          new BackoffPolicy(Duration.ofSeconds(30), Duration.ofMinutes(30), Duration.ofSeconds(1)));

  @ParameterizedTest(name = "attempt {0}, retryable {1} -> failed {2}, wait within [{3}, {4}] s")
  @CsvSource({
    "1, true,  false, 1, 30",
    "2, true,  false, 1, 60",
    "3, true,  false, 1, 120",
    "4, true,  false, 1, 240",
    "5, true,  true,  0, 0",
    "6, true,  true,  0, 0",
    "1, false, true,  0, 0",
    "4, false, true,  0, 0",
  })
  void shouldDecideRetryOrFailure(
      int attempt, boolean retryable, boolean failed, long minWait, long maxWait) {
    Random random = new Random(attempt);
    for (int draw = 0; draw < 200; draw++) {
      ResultRetryPolicy.Decision decision = POLICY.afterFailure(attempt, retryable, NOW, random);
      assertEquals(failed, decision.failed());
      long wait = Duration.between(NOW, decision.nextAttemptAt()).toSeconds();
      assertTrue(wait >= minWait && wait <= maxWait, "wait " + wait + " s");
    }
  }

  @ParameterizedTest
  @CsvSource({"NETWORK_ERROR, 2, false", "AMC_API_ERROR, 5, true"})
  void shouldDescribeTypeAttemptAndGivingUp(ErrorType type, int attempt, boolean failed) {
    String text = ResultRetryPolicy.describe(type, "boom", attempt, failed);
    assertTrue(text.startsWith(type.name() + " (attempt " + attempt));
    assertTrue(text.endsWith(": boom"));
    assertEquals(failed, text.contains("giving up"));
    assertFalse(text.isBlank());
  }
}
