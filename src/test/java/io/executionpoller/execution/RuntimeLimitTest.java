package io.executionpoller.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RuntimeLimitTest {

  private static final RuntimeLimit.Defaults DEFAULTS =
      new RuntimeLimit.Defaults(Duration.ofHours(6), Duration.ofMinutes(15), 0.8);

  @ParameterizedTest(
      name = "workflow max {0}, warning {1}, AMC timeout {2} -> limit {3} s, warn {4} s")
  @CsvSource(
      nullValues = "-",
      value = {
        // The workflow's own limit wins; its warning when below the limit, else 80%.
        "600,  300,   21600, 600,   300",
        "600,  -,     21600, 600,   480",
        "600,  600,   -,     600,   480",
        "600,  900,   -,     600,   480",
        // AMC's timeout plus the 15 min margin.
        "-,    -,     21600, 22500, 18000",
        "-,    3600,  900,   1800,  1440",
        "-,    1200,  900,   1800,  1200",
        // Nothing known: 6 h.
        "-,    -,     -,     21600, 17280",
        "0,    0,     0,     21600, 17280",
        "-,    7200,  -,     21600, 7200",
      })
  void shouldPickTheLimitAndTheWarning(
      Integer workflowMax, Integer warning, Integer remote, long limit, long warn) {
    RuntimeLimit result = RuntimeLimit.of(workflowMax, warning, remote, DEFAULTS);

    assertThat(result.max()).isEqualTo(Duration.ofSeconds(limit));
    assertThat(result.warnAfter()).isEqualTo(Duration.ofSeconds(warn));
  }

  @ParameterizedTest(name = "fraction {0} rejected")
  @CsvSource({"0", "-0.5", "1.5", "NaN"})
  void shouldRejectAWarningFractionOutsideZeroToOne(double fraction) {
    assertThatThrownBy(
            () -> new RuntimeLimit.Defaults(Duration.ofHours(6), Duration.ZERO, fraction))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
