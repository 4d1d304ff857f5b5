package io.executionpoller.dashboard;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.startsWith;

import io.executionpoller.support.Api;
import io.executionpoller.support.Fixtures;
import io.executionpoller.support.PostgresResource;
import io.executionpoller.support.TestClock;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's HTML as a client sees it: authentication, the list with statuses, running times
 * and errors, the status filter, paging, an execution's page, and escaping of remote text.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class DashboardTest {

  @Inject DashboardScenario scenario;
  @Inject Fixtures fixtures;
  @Inject TestClock clock;

  /** Every test here only reads, so the scenario is built once for the class. */
  private static DashboardScenario.Executions executions;

  @BeforeEach
  void build() {
    if (executions == null) {
      executions = scenario.build();
    }
  }

  @Test
  void shouldChallengeABrowserForBasicCredentialsWithoutAToken() {
    given()
        .get("/")
        .then()
        .statusCode(401)
        .header("WWW-Authenticate", "Basic realm=\"execution-poller\", charset=\"UTF-8\"");
    given()
        .get("/executions/{id}", executions.success())
        .then()
        .statusCode(401)
        .header("WWW-Authenticate", startsWith("Basic "));
  }

  @Test
  void shouldRefuseAWrongToken() {
    // The challenge again, so a browser asks anew instead of showing an error.
    given()
        .auth()
        .preemptive()
        .basic("viewer", "not-a-token")
        .get("/")
        .then()
        .statusCode(401)
        .header("WWW-Authenticate", startsWith("Basic "));
    Api.bearer("not-a-token").get("/").then().statusCode(401);
  }

  @Test
  void shouldServeTheListToAViewerTokenAsBasicPasswordOrBearer() {
    Response basic = viewer().get("/");
    basic.then().statusCode(200).header("Content-Type", startsWith("text/html"));
    assertThat(basic.header("Content-Security-Policy")).contains("default-src 'none'");
    assertThat(basic.header("Cache-Control")).isEqualTo("no-store");
    Api.viewer().get("/").then().statusCode(200).header("Content-Type", startsWith("text/html"));
    // Any user name: the password is the token.
    given()
        .auth()
        .preemptive()
        .basic("someone", Api.VIEWER_TOKEN)
        .get("/executions/{id}", executions.running())
        .then()
        .statusCode(200);
  }

  @Test
  void shouldListEveryExecutionWithStatusClassIconRunningTimeRowsAndErrorType() {
    String html = viewer().get("/").then().statusCode(200).extract().asString();

    assertThat(rowStatuses(html))
        .containsExactlyInAnyOrder(
            "pending", "running", "success", "failed", "cancelled", "timeout");
    String success = row(html, executions.success().toString());
    assertThat(success)
        .contains("class=\"badge status-success\"")
        .contains("<use href=\"#icon-success\"/>")
        .contains(">Success</span>")
        .contains("Campaign overlap")
        .contains("<td class=\"num running-time\">45s</td>")
        .contains("<td class=\"num rows\">" + DashboardScenario.RESULT_ROWS + "</td>");
    // RUNNING: from its start (AMC ran it at once) to now, 90 s later on the test clock.
    assertThat(row(html, executions.running().toString()))
        .contains("status-running")
        .contains("<td class=\"num running-time\">1m 30s</td>");
    assertThat(row(html, executions.pending().toString()))
        .contains("<td class=\"num running-time\">—</td>");
    assertThat(row(html, executions.failed().toString()))
        .contains("<td class=\"mono error-type\">QUERY_ERROR</td>")
        .contains("SQL compilation error");
    assertThat(row(html, executions.timeout().toString()))
        .contains("<td class=\"mono error-type\">TIMEOUT_ERROR</td>");
    assertThat(html).contains("<meta http-equiv=\"refresh\" content=\"15\">");
  }

  @Test
  void shouldFilterByStatus() {
    String failed =
        viewer()
            .queryParam("status", "FAILED")
            .get("/")
            .then()
            .statusCode(200)
            .extract()
            .asString();
    assertThat(rowStatuses(failed)).containsExactly("failed");
    assertThat(failed)
        .contains(
            "aria-current=\"page\"><svg class=\"icon\" aria-hidden=\"true\">"
                + "<use href=\"#icon-failed\"/></svg>Failed <span class=\"count\">1</span></a>");

    String finished =
        viewer()
            .queryParam("status", "success,TIMEOUT")
            .get("/")
            .then()
            .statusCode(200)
            .extract()
            .asString();
    assertThat(rowStatuses(finished)).containsExactlyInAnyOrder("success", "timeout");
  }

  @Test
  void shouldFilterByWorkflowInstanceAdvertiserErrorTypeAndTimeKeepingTheFiltersInTheUrl() {
    assertThat(rowIds(list("workflow", "weekly REACH")))
        .containsExactly(executions.running().toString());
    assertThat(rowIds(list("workflow", "wf_dash_success")))
        .containsExactly(executions.success().toString());
    String failedWorkflow =
        (String)
            fixtures
                .query(
                    "SELECT workflow_id::text AS id FROM workflow_executions WHERE id = ?",
                    executions.failed())
                .get(0)
                .get("id");
    assertThat(rowIds(list("workflow", failedWorkflow)))
        .containsExactly(executions.failed().toString());
    assertThat(rowIds(list("errorType", "query_error")))
        .containsExactly(executions.failed().toString());
    assertThat(rowIds(list("instance", Fixtures.INSTANCE))).hasSize(6);
    assertThat(rowIds(list("instance", "amcother99"))).isEmpty();
    assertThat(rowIds(list("advertiser", Fixtures.ADVERTISER))).hasSize(6);
    assertThat(list("advertiser", "ENTITYNOBODY")).contains("No executions match these filters");
    // All six were registered 90 s before the test clock's now.
    Instant now = clock.instant();
    assertThat(rowIds(list("from", now.minusSeconds(120).toString()))).hasSize(6);
    assertThat(rowIds(list("from", now.minusSeconds(60).toString()))).isEmpty();
    assertThat(rowIds(list("to", now.minusSeconds(60).toString()))).hasSize(6);

    String shared =
        viewer()
            .queryParam("workflow", "Weekly reach")
            .queryParam("instance", Fixtures.INSTANCE)
            .get("/")
            .then()
            .statusCode(200)
            .extract()
            .asString();
    // The status links keep the other filters, and the form shows them.
    assertThat(shared)
        .contains("href=\"/?status=RUNNING&amp;workflow=Weekly+reach&amp;instance=amcinst01\"")
        .contains("name=\"workflow\" value=\"Weekly reach\"")
        .contains("name=\"instance\" value=\"amcinst01\"");
  }

  @Test
  void shouldCountEachStatusUnderTheOtherFilters() {
    String all = viewer().queryParam("status", "FAILED").get("/").asString();
    for (String status :
        List.of("pending", "running", "success", "failed", "cancelled", "timeout")) {
      assertThat(statusCount(all, status)).as(status).isEqualTo("1");
    }
    assertThat(all).contains("All <span class=\"count\">6</span>");

    String weekly = list("workflow", "Weekly reach");
    assertThat(statusCount(weekly, "running")).isEqualTo("1");
    assertThat(statusCount(weekly, "failed")).isEqualTo("0");
    assertThat(weekly).contains("All <span class=\"count\">1</span>");
  }

  @Test
  void shouldAnswerABadFilterWithA400Page() {
    viewer().queryParam("errorType", "OOPS").get("/").then().statusCode(400);
    viewer().queryParam("from", "yesterday").get("/").then().statusCode(400);
    viewer().queryParam("advertiser", "a b").get("/").then().statusCode(400);
  }

  @Test
  void shouldAnswerAnUnknownStatusWithA400Page() {
    String html =
        viewer().queryParam("status", "DONE").get("/").then().statusCode(400).extract().asString();
    assertThat(html).contains("400 Bad Request").contains("status must be one of");
    viewer().get("/executions/not-a-uuid").then().statusCode(400);
    viewer()
        .get("/executions/00000000-0000-0000-0000-000000000000")
        .then()
        .statusCode(404)
        .header("Content-Type", startsWith("text/html"));
  }

  @Test
  void shouldPageOlderExecutionsWithTheCursor() {
    String first = viewer().queryParam("limit", 4).get("/").then().extract().asString();
    assertThat(rowIds(first)).hasSize(4);
    String older = attribute(first, "a class=\"older\" rel=\"next\" href=\"");
    assertThat(older).startsWith("/?limit=4&amp;cursor=");

    String second =
        viewer().get(older.replace("&amp;", "&")).then().statusCode(200).extract().asString();
    assertThat(rowIds(second)).hasSize(2).doesNotContainAnyElementsOf(rowIds(first));
    assertThat(second).doesNotContain("class=\"older\"").contains("class=\"newest\"");
  }

  @Test
  void shouldShowAnExecutionWithItsEventsNewestFirstAndItsResultPreview() {
    String html =
        viewer()
            .get("/executions/{id}", executions.success())
            .then()
            .statusCode(200)
            .extract()
            .asString();

    assertThat(html).contains("class=\"badge status-success\"");
    assertThat(field(html, "Running time")).isEqualTo("45s");
    assertThat(field(html, "Error type")).isEqualTo("—");
    assertThat(eventTypes(html))
        .containsExactly("RESULT_STORED", "TRANSITION", "TRANSITION", "SUBMITTED", "REGISTERED");
    assertThat(html).contains("<td>RUNNING → SUCCESS</td>").contains("<td>PENDING → RUNNING</td>");
    assertThat(html)
        .contains("Download step: <strong>STORED</strong>, 25 rows in 1 file")
        .contains(
            "href=\"/executions/" + executions.success() + "/results/download?file=0\" download")
        .contains("<code>/api/v1/executions/" + executions.success() + "/results/download?file=0")
        .contains("<th>campaign_id</th><th>campaign_name</th><th>impressions</th><th>clicks</th>")
        .contains("<td title=\"Campaign 1, demo\">Campaign 1, demo</td>")
        .contains("The first 20 of 25 rows.");
    // A finished execution with a stored result no longer changes: no reload.
    assertThat(html).doesNotContain("http-equiv=\"refresh\"");

    String running = viewer().get("/executions/{id}", executions.running()).asString();
    assertThat(running)
        .contains("http-equiv=\"refresh\"")
        .contains("No result: results come with SUCCESS.");
  }

  @Test
  void shouldServeAResultFileUnderTheDashboardsBasicChallenge() {
    String path = "/executions/{id}/results/download";
    given()
        .get(path, executions.success())
        .then()
        .statusCode(401)
        .header("WWW-Authenticate", startsWith("Basic "));
    Response file = viewer().queryParam("file", 0).get(path, executions.success());
    file.then().statusCode(200).header("Content-Type", startsWith("text/csv"));
    assertThat(file.header("Content-Disposition")).contains("part-00000.csv");
    assertThat(file.asString())
        .startsWith("campaign_id,campaign_name,impressions,clicks\r\n1,\"Campaign 1, demo\"");
    // Not stored (it did not succeed): the API's refusal, as a page.
    viewer()
        .get(path, executions.failed())
        .then()
        .statusCode(404)
        .header("Content-Type", startsWith("text/html"));
  }

  @Test
  void shouldEscapeRemoteTextAndNamesEverywhere() {
    String list = viewer().get("/").asString();
    String detail = viewer().get("/executions/{id}", executions.failed()).asString();

    for (String html : List.of(list, detail)) {
      // The one script tag is the daemon's own live updates; no other script survives escaping.
      assertThat(html.replaceAll("<script src=\"/assets/live\\.js\"[^>]*></script>", ""))
          .doesNotContain("<script")
          .doesNotContain("<img")
          .doesNotContain("<b>bold")
          .contains("&lt;script&gt;window.pwned=1&lt;/script&gt; Reach &amp; &lt;b&gt;bold");
    }
    assertThat(detail).contains("&lt;img src=x onerror=alert(1)&gt;");
  }

  private static String list(String parameter, String value) {
    return viewer()
        .queryParam(parameter, value)
        .get("/")
        .then()
        .statusCode(200)
        .extract()
        .asString();
  }

  private static String statusCount(String html, String status) {
    Matcher matcher =
        Pattern.compile(
                "data-status=\"" + status + "\"[^>]*>.*?<span class=\"count\">([0-9,]+)</span>",
                Pattern.DOTALL)
            .matcher(html);
    assertThat(matcher.find()).as("a count for " + status).isTrue();
    return matcher.group(1);
  }

  /** A browser's request after its Basic prompt: any user name, the viewer token as password. */
  private static RequestSpecification viewer() {
    return given().auth().preemptive().basic("viewer", Api.VIEWER_TOKEN);
  }

  private static final Pattern ROW =
      Pattern.compile(
          "<tr class=\"execution\" data-id=\"([0-9a-f-]+)\" data-status=\"([a-z]+)\">(.*?)</tr>",
          Pattern.DOTALL);

  private static List<String> rowStatuses(String html) {
    return ROW.matcher(html).results().map(m -> m.group(2)).toList();
  }

  private static List<String> rowIds(String html) {
    return ROW.matcher(html).results().map(m -> m.group(1)).toList();
  }

  private static String row(String html, String id) {
    return ROW.matcher(html)
        .results()
        .filter(m -> m.group(1).equals(id))
        .map(m -> m.group(3))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no row for " + id));
  }

  private static List<String> eventTypes(String html) {
    return Pattern.compile("<tr class=\"event\" data-type=\"([A-Z_]+)\">")
        .matcher(html)
        .results()
        .map(m -> m.group(1))
        .toList();
  }

  private static String field(String html, String label) {
    Matcher matcher =
        Pattern.compile("<dt>" + Pattern.quote(label) + "</dt>\\s*<dd[^>]*>(.*?)</dd>")
            .matcher(html);
    assertThat(matcher.find()).as("a field " + label).isTrue();
    return matcher.group(1);
  }

  private static String attribute(String html, String before) {
    Matcher matcher = Pattern.compile(Pattern.quote(before) + "([^\"]*)\"").matcher(html);
    assertThat(matcher.find()).as("an element starting " + before).isTrue();
    return matcher.group(1);
  }
}
