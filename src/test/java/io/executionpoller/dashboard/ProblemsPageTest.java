package io.executionpoller.dashboard;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.executionpoller.stuck.StuckReason;
import io.executionpoller.support.Api;
import io.executionpoller.support.ExecutionRows;
import io.executionpoller.support.Fixtures;
import io.executionpoller.support.PostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Problems page lists each kind of problem with what helps and its executions; rows are put in
 * each state directly, relative to the test clock, as the stuck detection's own test does.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class ProblemsPageTest {

  @Inject Fixtures fixtures;
  @Inject ExecutionRows rows;

  private UUID workflow;

  @BeforeEach
  void clean() {
    fixtures.reset();
    workflow = fixtures.savedWorkflow("wf_problems");
  }

  @Test
  void shouldSayAllClearWhenNothingIsStuck() {
    fixtures.submit(workflow);

    String html = page();

    assertThat(html).contains("Nothing is stuck").doesNotContain("class=\"problem-group\"");
  }

  @Test
  void shouldListEachKindOfProblemWithWhatHelpsAndItsExecutions() {
    Map<StuckReason, UUID> expected = rows.oneStuckPerReason(workflow, 4, "HTTP 503 <b>x</b>");

    String html = page();

    for (Map.Entry<StuckReason, UUID> entry : expected.entrySet()) {
      String key = entry.getKey().name().toLowerCase(Locale.ROOT).replace('_', '-');
      String group = section(html, key);
      ProblemAdvice advice = ProblemAdvice.of(entry.getKey());
      assertThat(group)
          .as(entry.getKey().name())
          .contains(advice.title() + " <span class=\"count\">1</span>")
          .contains("href=\"/executions/" + entry.getValue() + "\"")
          .contains(advice.actions().replace("{id}", entry.getValue().toString()));
    }
    assertThat(section(html, "failing-checks"))
        .contains("4 failed checks in a row")
        .contains("HTTP 503 &lt;b&gt;x&lt;/b&gt;");
    assertThat(section(html, "pending-too-long")).contains("POST /api/v1/executions/");
    assertThat(html).contains("8 that need a person");
  }

  @Test
  void shouldListDeadNotificationsWithTheReceiversAnswerAndTheRedeliveryThatHelps() {
    UUID execution = fixtures.submit(workflow);
    UUID subscription = UUID.randomUUID();
    fixtures.update(
        "INSERT INTO webhook_subscriptions (id, url, event_types, enabled, secret, created_at,"
            + " updated_at) VALUES ('"
            + subscription
            + "', 'https://hooks.example.com:8443/in?token=receiver-token-77', '{execution.failed}',"
            + " true, 'whsec_c2VjcmV0LXRoYXQtbXVzdC1ub3Qtc2hvdw', now(), now())");
    UUID dead = delivery(subscription, execution, 1, "DEAD", "503", "'answered 503 <i>busy</i>'");
    delivery(subscription, execution, 2, "PENDING", "NULL", "NULL");
    delivery(subscription, execution, 3, "DELIVERED", "200", "NULL");

    String html = page();

    String group = section(html, "dead-notifications");
    assertThat(group)
        .contains("Dead notifications <span class=\"count\">1</span>")
        .contains("Check the receiver")
        .contains("data-id=\"" + dead + "\"")
        .contains("href=\"/executions/" + execution + "\"")
        .contains(subscription.toString())
        .contains("https://hooks.example.com:8443<")
        .contains("<td class=\"nowrap last-code\">503</td>")
        .contains("answered 503 &lt;i&gt;busy&lt;/i&gt;")
        .contains("POST /api/v1/deliveries/" + dead + "/redeliver");
    assertThat(group.split("class=\"dead-delivery\"", -1)).hasSize(2);
    assertThat(html).doesNotContain("receiver-token-77").doesNotContain("whsec_");
    assertThat(html).contains("1 that need a person").doesNotContain("Nothing is stuck");

    // The action it names is the one that helps: redelivered, it is owed again and leaves the page.
    Api.operator().post("/api/v1/deliveries/{id}/redeliver", dead).then().statusCode(200);
    assertThat(page()).contains("Nothing is stuck").doesNotContain("dead-notifications");
  }

  private UUID delivery(
      UUID subscription, UUID execution, long event, String status, String code, String error) {
    UUID id = UUID.randomUUID();
    fixtures.update(
        "INSERT INTO webhook_deliveries (id, subscription_id, event_id, execution_id, event_type,"
            + " status, occurred_at, due_since, created_at, next_attempt_at, attempts,"
            + " last_attempt_at, last_status_code, last_error) VALUES ('"
            + id
            + "', '"
            + subscription
            + "', "
            + event
            + ", '"
            + execution
            + "', 'execution.failed', '"
            + status
            + "', "
            + rows.ago(90)
            + ", "
            + rows.ago(90)
            + ", "
            + rows.ago(90)
            + ", "
            + rows.ago(1)
            + ", 7, "
            + rows.ago(2)
            + ", "
            + code
            + ", "
            + error
            + ")");
    return id;
  }

  private static String page() {
    return given()
        .auth()
        .preemptive()
        .basic("viewer", Api.VIEWER_TOKEN)
        .get("/problems")
        .then()
        .statusCode(200)
        .header("Content-Security-Policy", DashboardResource.CONTENT_SECURITY_POLICY)
        .extract()
        .asString();
  }

  private static String section(String html, String key) {
    int start = html.indexOf("<section class=\"problem-group\" id=\"" + key + "\"");
    assertThat(start).as("section " + key).isNotNegative();
    return html.substring(start, html.indexOf("</section>", start));
  }
}
