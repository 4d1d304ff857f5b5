package io.executionpoller.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.executionpoller.api.ApiProblem;
import io.executionpoller.api.ExecutionFilter;
import io.executionpoller.execution.ExecutionStatus;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The list's filters: parsed from the URL, turned into a query filter, printed back as a URL. */
class ListQueryTest {

  @Test
  void shouldPrintEveryFilterInAFixedOrderWithTheCursorLast() {
    ListQuery query =
        ListQuery.parse(
            List.of("timeout,FAILED"),
            " Weekly reach ",
            "amcinst01",
            "ENTITY1",
            "query_error",
            "2026-11-24",
            "2026-11-25T18:00",
            "20",
            500);

    assertThat(query.url("MTIz_-a"))
        .isEqualTo(
            "/?status=FAILED,TIMEOUT&workflow=Weekly+reach&instance=amcinst01&advertiser=ENTITY1"
                + "&errorType=QUERY_ERROR&from=2026-11-24&to=2026-11-25T18%3A00&limit=20"
                + "&cursor=MTIz_-a");
    assertThat(query.withStatuses(Set.of(ExecutionStatus.RUNNING)).url(null))
        .startsWith("/?status=RUNNING&workflow=Weekly+reach&");
    assertThat(ListQuery.parse(null, "", " ", null, "", null, null, null, 500).url(null))
        .isEqualTo("/");
  }

  @Test
  void shouldTakeAUuidAsTheWorkflowsOwnIdAndAnyOtherTextAsItsNameOrAmcId() {
    UUID id = UUID.randomUUID();
    ExecutionFilter byId =
        ListQuery.parse(null, id.toString(), null, null, null, null, null, null, 500).filter();
    assertThat(byId.workflowId()).isEqualTo(id);
    assertThat(byId.workflowName()).isNull();

    ExecutionFilter byName =
        ListQuery.parse(null, "wf_dash", null, null, null, null, null, null, 500).filter();
    assertThat(byName.workflowId()).isNull();
    assertThat(byName.workflowName()).isEqualTo("wf_dash");
    assertThat(byName.statuses()).isEqualTo(EnumSet.noneOf(ExecutionStatus.class));
  }

  @ParameterizedTest
  @CsvSource({
    "2026-11-24, false, 2026-11-24T00:00:00Z",
    "2026-11-24, true, 2026-11-25T00:00:00Z",
    "2026-11-24T10:15, false, 2026-11-24T10:15:00Z",
    "2026-11-24T10:15:30, true, 2026-11-24T10:15:30Z",
    "2026-11-24T10:15:00Z, true, 2026-11-24T10:15:00Z",
    "2026-11-24T10:15:00+02:00, false, 2026-11-24T08:15:00Z",
  })
  void shouldReadATimeOfTheRangeAsUtc(String value, boolean end, String expected) {
    assertThat(ListQuery.time("from", value, end)).isEqualTo(Instant.parse(expected));
  }

  @ParameterizedTest
  @ValueSource(strings = {"yesterday", "2026-13-01", "24.11.2026", "2026-11-24T25:00"})
  void shouldRefuseATimeItCannotRead(String value) {
    assertThatThrownBy(() -> ListQuery.parse(null, null, null, null, null, value, null, null, 500))
        .isInstanceOf(ApiProblem.class)
        .hasMessageContaining("from must be");
  }

  @Test
  void shouldRefuseAnUnknownErrorTypeAnIdWithOddCharactersAndAnOverlongWorkflow() {
    assertThatThrownBy(() -> ListQuery.parse(null, null, null, null, "OOPS", null, null, null, 500))
        .hasMessageContaining("errorType must be one of");
    assertThatThrownBy(
            () -> ListQuery.parse(null, null, "../etc", null, null, null, null, null, 500))
        .hasMessageContaining("instance");
    assertThatThrownBy(
            () -> ListQuery.parse(null, "x".repeat(201), null, null, null, null, null, null, 500))
        .hasMessageContaining("workflow must be");
  }
}
