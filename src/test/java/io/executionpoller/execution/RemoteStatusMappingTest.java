package io.executionpoller.execution;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RemoteStatusMappingTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "PENDING,    PENDING",
    "RUNNING,    RUNNING",
    "PUBLISHING, RUNNING",
    "SUCCEEDED,  SUCCESS",
    "FAILED,     FAILED",
    "REJECTED,   FAILED",
    "CANCELLED,  CANCELLED",
  })
  void shouldMapEveryKnownAmcStatus(String remote, ExecutionStatus local) {
    assertThat(RemoteStatusMapping.toLocal(remote)).contains(local);
  }

  @ParameterizedTest(name = "[{0}] -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "pending          | PENDING",
        "Pending          | PENDING",
        "running          | RUNNING",
        "rUnNiNg          | RUNNING",
        "publishing       | RUNNING",
        "Publishing       | RUNNING",
        "succeeded        | SUCCESS",
        "Succeeded        | SUCCESS",
        "failed           | FAILED",
        "rejected         | FAILED",
        "Cancelled        | CANCELLED",
        "'  RUNNING'      | RUNNING",
        "'SUCCEEDED  '    | SUCCESS",
        "' failed '       | FAILED",
        "'\tPENDING\t'    | PENDING",
      })
  void shouldMapKnownStatusesWhateverTheirCaseAndSurroundingWhitespace(
      String remote, ExecutionStatus local) {
    assertThat(RemoteStatusMapping.toLocal(remote)).contains(local);
  }

  @Test
  void shouldMapAStatusSurroundedByNewlines() {
    assertThat(RemoteStatusMapping.toLocal("\nSUCCEEDED\r\n")).contains(ExecutionStatus.SUCCESS);
  }

  @ParameterizedTest(name = "[{0}]")
  @ValueSource(
      strings = {
        "ARCHIVED",
        "",
        "   ",
        "SUCCESS",
        "COMPLETED",
        "TIMEOUT",
        "TIMED_OUT",
        "CANCELED",
        "QUEUED",
        "RUN NING",
        "SUCCEEDED!",
        "PENDING_APPROVAL",
        "null"
      })
  void shouldMapAnUnknownStatusToNothing(String remote) {
    assertThat(RemoteStatusMapping.toLocal(remote)).isEmpty();
  }

  @Test
  void shouldMapNullToNothing() {
    assertThat(RemoteStatusMapping.toLocal(null)).isEmpty();
  }
}
