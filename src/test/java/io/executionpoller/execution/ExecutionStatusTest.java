package io.executionpoller.execution;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ExecutionStatusTest {

  @Test
  void shouldSplitTheStatusesIntoActiveAndTerminal() {
    assertThat(ExecutionStatus.ACTIVE)
        .containsExactlyInAnyOrder(ExecutionStatus.PENDING, ExecutionStatus.RUNNING);
    assertThat(ExecutionStatus.TERMINAL)
        .containsExactlyInAnyOrder(
            ExecutionStatus.SUCCESS,
            ExecutionStatus.FAILED,
            ExecutionStatus.CANCELLED,
            ExecutionStatus.TIMEOUT);
  }

  @Test
  void shouldBindASetAsItsSortedNames() {
    assertThat(ExecutionStatus.names(ExecutionStatus.ACTIVE)).containsExactly("PENDING", "RUNNING");
    assertThat(ExecutionStatus.names(ExecutionStatus.TIMEOUT, ExecutionStatus.CANCELLED))
        .containsExactly("CANCELLED", "TIMEOUT");
  }
}
