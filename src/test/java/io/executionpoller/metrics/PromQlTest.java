package io.executionpoller.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PromQlTest {

  @Test
  void shouldFindTheMetricsOfAnExpressionAndNoFunctionLabelOrVariable() {
    assertThat(
            PromQl.metricNames(
                "histogram_quantile(0.95, sum by (le, operation) (rate("
                    + "poller_remote_request_duration_seconds_bucket{job=~\"$job\"}"
                    + "[$__rate_interval])))"))
        .containsExactly("poller_remote_request_duration_seconds_bucket");
    assertThat(
            PromQl.metricNames(
                "sum by (namespace, job) (increase(a_total{outcome=~\"retry|failed\"}[30m])) > 0\n"
                    + "unless on (namespace, job)\n"
                    + "sum by (namespace, job) (increase(b_total{outcome=\"stored\"}[30m])) > 0"))
        .containsExactly("a_total", "b_total");
    assertThat(PromQl.metricNames("changes(c_seconds[1h]) >= 3 and on (job, instance) d"))
        .containsExactly("c_seconds", "d");
    assertThat(PromQl.metricNames("sum(rate(x_sum[5m])) / sum(rate(x_count[5m])) * 1e3"))
        .containsExactly("x_count", "x_sum");
  }
}
