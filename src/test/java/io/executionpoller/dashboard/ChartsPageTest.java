package io.executionpoller.dashboard;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.executionpoller.db.FromBlockingThread;
import io.executionpoller.support.Api;
import io.executionpoller.support.Fixtures;
import io.executionpoller.support.PostgresResource;
import io.executionpoller.support.TestClock;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The charts page from known rows: executions finished at known times with known run times and
 * checks, and backlog samples taken by the sampler itself.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class ChartsPageTest {

  @Inject Fixtures fixtures;
  @Inject TestClock clock;
  @Inject BacklogSampler sampler;

  @BeforeEach
  void clean() {
    fixtures.reset();
    fixtures.update("DELETE FROM due_backlog_samples");
  }

  @Test
  void shouldDrawOneDayOfCompletionsAndFiguresPerWorkflowAndInstance() {
    UUID reach = fixtures.savedWorkflow("wf_reach");
    UUID overlap = fixtures.savedWorkflow("wf_overlap", "amcinst02");
    // Forty minutes into an hour, so the completions 10 to 15 minutes ago share one hourly bar
    // whatever the earlier tests left the clock at (moved forward only, as time does).
    Instant fortyPast = clock.instant().truncatedTo(ChronoUnit.HOURS).plus(Duration.ofMinutes(40));
    clock.set(
        fortyPast.isBefore(clock.instant()) ? fortyPast.plus(Duration.ofHours(1)) : fortyPast);
    Instant now = clock.instant();
    // Reach: run times 60, 120, 180 and 600 s; one FAILED; 4, 4, 4 and 8 checks, all submitted.
    finished(reach, "SUCCESS", now.minusSeconds(600), 60, 4);
    finished(reach, "SUCCESS", now.minusSeconds(700), 120, 4);
    finished(reach, "SUCCESS", now.minusSeconds(800), 180, 4);
    finished(reach, "FAILED", now.minusSeconds(900), 600, 8);
    // Overlap, on another instance: one TIMEOUT two hours ago.
    finished(overlap, "TIMEOUT", now.minus(Duration.ofHours(2)), 3600, 10);
    // Two days ago: outside the day.
    finished(reach, "FAILED", now.minus(Duration.ofDays(2)), 30, 1);

    String html = page("/charts");

    assertThat(html).contains("5 in the day");
    assertThat(bars(html, "success")).isEqualTo(1);
    assertThat(bars(html, "failed")).isEqualTo(1);
    assertThat(bars(html, "timeout")).isEqualTo(1);
    String reachRow = row(html, "/charts?workflow=" + reach);
    // p50 of 60,120,180,600 = 150 s; p95 = 537 s; 1 of 4 failed; (5+5+5+9)/4 = 6 calls.
    assertThat(reachRow)
        .contains("<td class=\"num completed\">4</td>")
        .contains("<td class=\"num failure-rate\">25.0%</td>")
        .contains("<td class=\"num p50\">2m 30s</td>")
        .contains("<td class=\"num p95\">8m 57s</td>")
        .contains("<td class=\"num calls\">6.0</td>");
    assertThat(row(html, "/charts?instance=amcinst02"))
        .contains("<td class=\"num failure-rate\">100.0%</td>")
        .contains("<td class=\"num p50\">1h 00m</td>");

    String narrowed = page("/charts?instance=amcinst02");
    assertThat(narrowed).contains("1 in the day").contains("AMC instance amcinst02");
    assertThat(bars(narrowed, "success")).isZero();
  }

  @Test
  void shouldSampleTheBacklogOncePerSlotAndDrawIt() {
    UUID workflow = fixtures.savedWorkflow("wf_backlog");
    fixtures.submit(workflow);
    fixtures.submit(workflow);
    Instant now = clock.instant();

    sampleAt(now);
    sampleAt(now.plusSeconds(1));
    fixtures.submit(workflow);
    sampleAt(now.plus(Duration.ofMinutes(5)));

    List<Long> due =
        fixtures.query("SELECT due FROM due_backlog_samples ORDER BY sampled_at").stream()
            .map(row -> ((Number) row.get("due")).longValue())
            .toList();
    assertThat(due).as("one sample per 5-minute slot, the first write wins").hasSize(2);
    assertThat(due.get(1)).isEqualTo(3);
    clock.advance(Duration.ofMinutes(6));
    String html = page("/charts");
    assertThat(html).contains("latest 3, 2 samples").contains("<polyline class=\"line\" points=\"");
  }

  private void sampleAt(Instant at) {
    FromBlockingThread.inTransaction(() -> sampler.sampleNow(at));
  }

  private void finished(UUID workflow, String status, Instant completed, int seconds, int checks) {
    UUID id = fixtures.submit(workflow);
    fixtures.update(
        "UPDATE workflow_executions SET status = '"
            + status
            + "', started_at = '"
            + completed.minusSeconds(seconds)
            + "'::timestamptz, completed_at = '"
            + completed
            + "'::timestamptz, execution_duration = "
            + seconds
            + ", poll_count = "
            + checks
            + ", submit_attempted_at = created_at WHERE id = '"
            + id
            + "'");
  }

  private static String page(String path) {
    return given()
        .auth()
        .preemptive()
        .basic("viewer", Api.VIEWER_TOKEN)
        .get(path)
        .then()
        .statusCode(200)
        .extract()
        .asString();
  }

  private static long bars(String html, String status) {
    return Pattern.compile("<rect class=\"bar status-" + status + "\"")
        .matcher(html)
        .results()
        .count();
  }

  private static String row(String html, String href) {
    int start = html.indexOf("<a href=\"" + href + "\">");
    assertThat(start).as("a row linking " + href).isNotNegative();
    return html.substring(start, html.indexOf("</tr>", start));
  }
}
