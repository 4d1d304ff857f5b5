package io.executionpoller.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Settings under which a batch's lease could end before its answers are recorded. */
class DeliveryTimingTest {

  @ParameterizedTest(name = "batch {0}, {1} at once, {2}+{3}, lease {4}: allowed {5}")
  @CsvSource({
    // the defaults: 4 rounds of 20 s = 80 s, lease 2 min
    "64, 16, PT5S, PT15S, PT2M, true",
    // 16 rounds of 20 s = 320 s against a 2 min lease: the review's worst case
    "256, 16, PT5S, PT15S, PT2M, false",
    "256, 64, PT5S, PT15S, PT2M, true",
    // exactly 3/4 of the lease is allowed, a second more is not
    "30, 10, PT10S, PT20S, PT2M, true",
    "30, 10, PT10S, PT21S, PT2M, false",
    "1, 1, PT5S, PT15S, PT20S, false",
    "0, 16, PT5S, PT15S, PT2M, false",
    "64, 0, PT5S, PT15S, PT2M, false",
  })
  void shouldRefuseALeaseShorterThanTheSlowestBatch(
      int batchSize,
      int concurrency,
      Duration connect,
      Duration request,
      Duration lease,
      boolean allowed) {
    assertThat(DeliveryTiming.problem(batchSize, concurrency, connect, request, lease).isEmpty())
        .isEqualTo(allowed);
  }
}
