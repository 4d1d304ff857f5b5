package io.executionpoller.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.executionpoller.simulator.ExecutionScript;
import io.executionpoller.support.Api;
import io.executionpoller.support.Fixtures;
import io.executionpoller.support.PostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser: Debian's headless Chromium, driven through chromedriver. It logs
 * in the way a person does (HTTP Basic, token as password), reads statuses by their computed
 * colours and drawn icons, follows the filter and detail links, and saves screenshots to {@code
 * target/dashboard-screenshots} for a person to look at.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class DashboardBrowserTest {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Path SCREENSHOTS = Path.of("target", "dashboard-screenshots");
  private static final Duration WAIT = Duration.ofSeconds(10);

  /**
   * A live update crosses the stream's poll, a page read and a render: generous, since the machine
   * running the tests is shared; the test asserts the order of things, never this time.
   */
  private static final Duration LIVE_WAIT = Duration.ofSeconds(45);

  private static ChromeDriver browser;
  private static Path profile;
  private static Path downloads;

  @Inject DashboardScenario scenario;
  @Inject io.executionpoller.simulator.AmcSimulator simulator;
  @Inject io.executionpoller.support.TestClock clock;
  @Inject io.executionpoller.bulk.BulkWorker bulkWorker;
  @Inject Fixtures fixtures;

  @TestHTTPResource("/")
  URL root;

  /** A missing browser fails the test: a skipped browser test would hide a broken dashboard. */
  @BeforeAll
  static void startBrowser() throws IOException {
    assertThat(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER))
        .as(
            "the dashboard test needs Debian's chromium and chromium-driver (%s, %s):"
                + " apt-get install -y --no-install-recommends chromium chromium-driver",
            CHROMIUM, CHROMEDRIVER)
        .isTrue();
    profile = Files.createTempDirectory("dashboard-chromium-");
    downloads = Files.createDirectories(profile.resolve("downloads"));
    ChromeOptions options = new ChromeOptions();
    options.setExperimentalOption(
        "prefs",
        Map.of(
            "download.default_directory",
            downloads.toString(),
            "download.prompt_for_download",
            false));
    options.setBinary(CHROMIUM.toFile());
    // Without the background-networking switches Chromium keeps calling home, which this
    // machine's closed network answers slowly; a fresh profile keeps runs independent.
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1400,1000",
        "--user-data-dir=" + profile);
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build();
    browser = new ChromeDriver(service, options);
    browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20));
    Files.createDirectories(SCREENSHOTS);
  }

  @AfterAll
  static void stopBrowser() throws IOException {
    if (browser != null) {
      browser.quit();
    }
    if (profile != null) {
      try (Stream<Path> files = Files.walk(profile)) {
        files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
      }
    }
  }

  @Test
  void shouldShowExecutionsFilterThemAndOpenOneInABrowser() throws IOException {
    DashboardScenario.Executions executions = scenario.build();

    // Chromium answers the 401 Basic challenge with the credentials in the address, as it would
    // with what a person types into its prompt, and keeps them for the rest of the origin.
    browser.get(
        "http://viewer:" + Api.VIEWER_TOKEN + "@" + root.getHost() + ":" + root.getPort() + "/");
    assertThat(browser.getTitle()).isEqualTo("Executions · execution-poller");
    List<WebElement> rows = browser.findElements(By.cssSelector("tr.execution"));
    assertThat(rows).hasSize(6);
    WebElement failed = badge(executions.failed().toString());
    assertThat(failed.getText()).isEqualTo("Failed");
    assertThat(failed.getCssValue("background-color")).isEqualTo("rgba(254, 226, 226, 1)");
    assertThat(failed.getCssValue("color")).isEqualTo("rgba(153, 27, 27, 1)");
    WebElement success = badge(executions.success().toString());
    assertThat(success.getCssValue("background-color")).isEqualTo("rgba(220, 252, 231, 1)");
    // The icon is drawn (a referenced symbol with a size), not only present in the markup.
    for (WebElement row : rows) {
      WebElement icon = row.findElement(By.cssSelector(".badge svg.icon"));
      assertThat(icon.getSize()).isEqualTo(new Dimension(16, 16));
    }
    assertThat(
            browser
                .findElement(By.cssSelector("tr[data-id='" + executions.failed() + "'] td a.open"))
                .getText())
        .as("the hostile workflow name shows as text")
        .startsWith("<script>window.pwned=1</script>");
    // The only scripts are the daemon's own, from /assets/ (live updates).
    assertThat(
            browser.executeScript(
                "return Array.from(document.scripts).map(s => new URL(s.src)).filter(u =>"
                    + " u.host !== location.host || !u.pathname.startsWith('/assets/')).length"
                    + " + (window.pwned || 0)"))
        .isEqualTo(0L);
    assertThat(browser.findElements(By.cssSelector("button.bulk-start, input.pick")))
        .as("a viewer gets no action")
        .isEmpty();
    screenshot("executions");

    browser.findElement(By.cssSelector("nav.filters a[data-status='failed']")).click();
    new WebDriverWait(browser, WAIT).until(ExpectedConditions.urlContains("status=FAILED"));
    assertThat(browser.findElements(By.cssSelector("tr.execution")))
        .extracting(row -> row.getAttribute("data-status"))
        .containsExactly("failed");
    screenshot("executions-failed");

    browser.findElement(By.cssSelector("nav.filters a.all")).click();
    browser
        .findElement(By.cssSelector("tr[data-id='" + executions.success() + "'] a.open"))
        .click();
    new WebDriverWait(browser, WAIT)
        .until(ExpectedConditions.urlContains("/executions/" + executions.success()));
    assertThat(browser.findElement(By.cssSelector("h1 .badge")).getText()).isEqualTo("Success");
    assertThat(browser.findElements(By.cssSelector("tr.event")))
        .extracting(row -> row.getAttribute("data-type"))
        .containsExactly("RESULT_STORED", "TRANSITION", "TRANSITION", "SUBMITTED", "REGISTERED");
    List<WebElement> preview = browser.findElements(By.cssSelector("table.preview tbody tr"));
    assertThat(preview).hasSize(20);
    assertThat(preview.get(0).findElements(By.tagName("td")))
        .extracting(WebElement::getText)
        .containsExactly("1", "1", "Campaign 1, demo", "1000", "7");
    WebElement download = browser.findElement(By.cssSelector("a.download"));
    assertThat(download.getAttribute("href"))
        .endsWith("/executions/" + executions.success() + "/results/download?file=0");
    screenshot("execution-success");
    // The link works from the page: the browser answers its Basic challenge like any page's, and
    // the file arrives as it was stored. (A link straight to /api/v1 got a Bearer challenge and a
    // 401 here, which is why the dashboard serves the file itself.)
    browser.executeCdpCommand(
        "Browser.setDownloadBehavior",
        Map.of("behavior", "allow", "downloadPath", downloads.toString()));
    download.click();
    Path file = downloads.resolve("part-00000.csv");
    try {
      new WebDriverWait(browser, WAIT).until(ignored -> Files.exists(file));
    } catch (TimeoutException e) {
      throw new AssertionError(
          "no download; the browser shows "
              + browser.getCurrentUrl()
              + ": "
              + browser.findElement(By.tagName("body")).getText()
              + "; files: "
              + Arrays.toString(downloads.toFile().list()),
          e);
    }
    assertThat(Files.readString(file))
        .startsWith(
            "campaign_id,campaign_name,impressions,clicks\r\n1,\"Campaign 1, demo\",1000,7");

    browser.get(root + "executions/" + executions.failed());
    assertThat(browser.findElement(By.cssSelector("h1 .workflow")).getText())
        .isEqualTo(DashboardScenario.HOSTILE_NAME);
    assertThat(browser.findElement(By.tagName("dl")).getText())
        .contains(DashboardScenario.HOSTILE_REASON);
    screenshot("execution-failed");
  }

  /**
   * The filter form, the counts per status and a shared URL; the Problems page; the charts, whose
   * SVG bars are drawn with their status colours.
   */
  @Test
  void shouldFilterThroughTheFormShowProblemsAndDrawChartsInABrowser() throws IOException {
    DashboardScenario.Executions executions = scenario.build();
    fixtures.update(
        "UPDATE workflow_executions SET consecutive_poll_errors = 4, last_error_at = now(),"
            + " last_error = 'HTTP 503 from AMC' WHERE id = '"
            + executions.running()
            + "'");
    browser.get(
        "http://viewer:" + Api.VIEWER_TOKEN + "@" + root.getHost() + ":" + root.getPort() + "/");

    WebElement workflow =
        browser.findElement(By.cssSelector("form.filter-form input[name=workflow]"));
    workflow.sendKeys("Weekly reach");
    browser.findElement(By.cssSelector("form.filter-form button[type=submit]")).click();
    new WebDriverWait(browser, WAIT).until(ExpectedConditions.urlContains("workflow=Weekly+reach"));
    assertThat(browser.findElements(By.cssSelector("tr.execution")))
        .extracting(row -> row.getAttribute("data-id"))
        .containsExactly(executions.running().toString());
    assertThat(
            browser
                .findElement(By.cssSelector("nav.filters a[data-status='running'] .count"))
                .getText())
        .isEqualTo("1");
    assertThat(browser.findElement(By.cssSelector("nav.filters a.all .count")).getText())
        .isEqualTo("1");
    screenshot("executions-filtered");

    browser.findElement(By.cssSelector("a.problems-link")).click();
    new WebDriverWait(browser, WAIT).until(ExpectedConditions.urlContains("/problems"));
    WebElement failing = browser.findElement(By.cssSelector("section#failing-checks"));
    assertThat(failing.getText()).contains("Failing checks").contains("HTTP 503 from AMC");
    screenshot("problems");

    browser.get(root + "charts");
    List<WebElement> bars = browser.findElements(By.cssSelector("svg.completions rect.bar"));
    assertThat(bars).isNotEmpty();
    WebElement failedBar =
        browser.findElement(By.cssSelector("svg.completions rect.bar[data-status='failed']"));
    assertThat(failedBar.getCssValue("fill")).isEqualTo("rgb(220, 38, 38)");
    assertThat(failedBar.getSize().getHeight()).isPositive();
    assertThat(
            browser.findElements(
                By.cssSelector("table.figures[data-kind='workflow'] tr.figure-row")))
        .hasSize(4);
    screenshot("charts");
  }

  /**
   * An operator cancels every execution the list's filter shows: the preview's count, a confirm
   * button that stays off until a reason is typed, then the job's progress as the worker (driven
   * here on the test clock) works it; the page's script calls the JSON API with the page's Basic
   * credentials, under the page's CSP.
   */
  @Test
  void shouldCancelEveryMatchingExecutionFromTheListWithPreviewReasonAndProgress()
      throws IOException {
    fixtures.reset();
    UUID workflow = fixtures.savedWorkflow("wf_bulk_browser");
    List<UUID> executions = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String remote =
          simulator.preload(
              Fixtures.INSTANCE,
              "wf_bulk_browser",
              ExecutionScript.succeeds(Duration.ZERO, Duration.ofHours(2), 1));
      executions.add(fixtures.track(workflow, remote));
    }
    // Operators sign in on 127.0.0.1, another origin than the viewer's localhost: a browser keeps
    // one identity per origin and realm for the scripts' calls.
    browser.get(operatorUrl("/?workflow=wf_bulk_browser"));
    assertThat(browser.findElements(By.cssSelector("tr.execution"))).hasSize(3);
    assertThat(browser.findElement(By.id("bulk-scope")).getText())
        .isEqualTo("Every execution matching this filter");
    screenshot("bulk-operator-list");

    browser.findElement(By.cssSelector("button.bulk-start[data-action='cancel']")).click();
    WebElement preview = browser.findElement(By.id("bulk-preview"));
    WebElement error = browser.findElement(By.id("bulk-error"));
    new WebDriverWait(browser, WAIT)
        .until(
            ignored ->
                preview.getText().contains("can be cancelled") || !error.getText().isEmpty());
    assertThat(error.getText()).as("the dialog's error").isEmpty();
    assertThat(preview.getText()).startsWith("3 executions selected; 3 can be cancelled");
    WebElement confirm = browser.findElement(By.id("bulk-confirm"));
    assertThat(confirm.getText()).isEqualTo("Cancel 3");
    assertThat(confirm.isEnabled()).as("no reason yet").isFalse();
    screenshot("bulk-preview");
    browser.findElement(By.id("bulk-reason")).sendKeys("Wrong time window, <b>re-run</b> later");
    assertThat(confirm.isEnabled()).isTrue();
    screenshot("bulk-confirm");
    confirm.click();

    WebElement progress = browser.findElement(By.id("bulk-progress"));
    new WebDriverWait(browser, WAIT).until(ignored -> progress.getText().contains("queued"));
    assertThat(progress.getText())
        .isEqualTo("Bulk cancel queued: 0 done, 0 skipped, 0 failed of 3");
    screenshot("bulk-queued");
    // Two a second in tests (poller.bulk.rate-per-second): two now, the third a second later.
    clock.advance(Duration.ofSeconds(1));
    assertThat(bulkWorker.runOnce()).isEqualTo(2);
    // The page polls once a second; a poll during the batch may show fewer.
    new WebDriverWait(browser, WAIT)
        .until(
            ignored ->
                progress.getText().equals("Bulk cancel running: 2 done, 0 skipped, 0 failed of 3"));
    screenshot("bulk-running");
    clock.advance(Duration.ofSeconds(1));
    assertThat(bulkWorker.runOnce()).isEqualTo(1);
    new WebDriverWait(browser, WAIT).until(ignored -> progress.getText().contains("done:"));
    assertThat(progress.getText()).isEqualTo("Bulk cancel done: 3 done, 0 skipped, 0 failed of 3");
    screenshot("bulk-done");
    for (UUID execution : executions) {
      assertThat(fixtures.status(execution)).isEqualTo("CANCELLED");
    }
    assertThat(
            fixtures.query(
                "SELECT message FROM execution_events WHERE execution_id = ? AND type ="
                    + " 'TRANSITION' AND to_status = 'CANCELLED'",
                executions.get(0)))
        .extracting(row -> (String) row.get("message"))
        .singleElement()
        .asString()
        .startsWith("cancelled by operator:")
        .contains("Wrong time window, <b>re-run</b> later");

    // A selection instead of the filter: nothing left to check, so nothing can be confirmed.
    browser.get("http://127.0.0.1:" + root.getPort() + "/?workflow=wf_bulk_browser");
    WebElement pick =
        new WebDriverWait(browser, WAIT)
            .until(
                ExpectedConditions.elementToBeClickable(
                    By.cssSelector("input.pick[value='" + executions.get(1) + "']")));
    pick.click();
    assertThat(pick.isSelected()).isTrue();
    new WebDriverWait(browser, WAIT)
        .until(
            ignored ->
                browser.findElement(By.id("bulk-scope")).getText().equals("1 selected execution"));
    browser.findElement(By.cssSelector("button.bulk-start[data-action='check-now']")).click();
    WebElement selected = browser.findElement(By.id("bulk-preview"));
    new WebDriverWait(browser, WAIT).until(ignored -> selected.getText().contains("checked now"));
    assertThat(selected.getText())
        .startsWith("1 execution selected; none of them can be checked now");
    browser.findElement(By.id("bulk-reason")).sendKeys("checking");
    assertThat(browser.findElement(By.id("bulk-confirm")).isEnabled()).isFalse();
    screenshot("bulk-selection");
  }

  /**
   * The backfill form as an operator uses it: preview, register what was previewed, preview again
   * (every window now registered); a viewer gets the page without the form. The operator signs in
   * on 127.0.0.1, another origin than the viewer's localhost, so each keeps its own credentials.
   */
  @Test
  void shouldPreviewAndRegisterABackfillFromTheFormAndShowAViewerNoForm() throws IOException {
    UUID workflow = fixtures.savedWorkflow("wf_backfill_form");
    browser.get(operatorUrl("/"));
    // Signed in; on from an address without the credentials, as after a person's sign-in prompt.
    browser.get("http://127.0.0.1:" + root.getPort() + "/");
    browser.findElement(By.cssSelector("a.backfill-link")).click();
    new WebDriverWait(browser, WAIT).until(ExpectedConditions.urlContains("/backfill"));
    new Select(browser.findElement(By.id("backfill-workflow"))).selectByValue(workflow.toString());
    new Select(browser.findElement(By.id("backfill-period"))).selectByValue("MONTHLY");
    date("backfill-from", "2024-01-31");
    date("backfill-to", "2024-04-15");
    browser.findElement(By.id("backfill-parameters")).sendKeys("{\"day\": \"{windowStart}\"}");
    browser.findElement(By.id("backfill-reason")).sendKeys("first quarter after the outage");
    browser.findElement(By.id("backfill-preview")).click();

    WebElement summary = waitFor("#backfill-result p.summary");
    assertThat(summary.getText())
        .isEqualTo(
            "3 windows, monthly, 2024-01-31 to 2024-04-15 (exclusive): 3 to register, 0"
                + " registered already.");
    assertThat(browser.findElements(By.cssSelector("#backfill-result tr.window")))
        .extracting(row -> row.getAttribute("data-start"))
        .containsExactly("2024-01-31T00:00:00", "2024-02-29T00:00:00", "2024-03-31T00:00:00");
    WebElement register = browser.findElement(By.id("backfill-register"));
    assertThat(register.getText()).isEqualTo("Register 3 executions");
    assertThat(
            fixtures.count(
                "SELECT count(*) FROM workflow_executions WHERE workflow_id = ?", workflow))
        .isZero();
    screenshot("backfill-preview");

    register.click();
    WebElement stored = waitFor("#backfill-result p.summary.success");
    assertThat(stored.getText())
        .isEqualTo("Registered 3 new executions; 0 windows were registered before.");
    assertThat(
            fixtures.count(
                "SELECT count(*) FROM workflow_executions WHERE workflow_id = ?", workflow))
        .isEqualTo(3);
    assertThat(
            fixtures.count(
                "SELECT count(*) FROM execution_events e JOIN workflow_executions x"
                    + " ON x.id = e.execution_id WHERE x.workflow_id = ? AND e.message LIKE"
                    + " '%by operator%: first quarter after the outage'",
                workflow))
        .isEqualTo(3);
    screenshot("backfill-registered");

    browser.findElement(By.id("backfill-preview")).click();
    new WebDriverWait(browser, WAIT)
        .until(
            ignored ->
                browser
                    .findElement(By.cssSelector("#backfill-result p.summary"))
                    .getText()
                    .endsWith("0 to register, 3 registered already."));
    assertThat(browser.findElement(By.id("backfill-register")).isEnabled()).isFalse();

    browser.get(root + "backfill");
    assertThat(browser.findElement(By.cssSelector("header.top")).isDisplayed()).isTrue();
    assertThat(browser.findElements(By.id("backfill-form"))).isEmpty();
    assertThat(browser.findElement(By.cssSelector(".viewer-notice")).getText())
        .contains("needs an operator token");
    assertThat(browser.executeScript("return document.scripts.length")).isEqualTo(0L);
    browser.get(root.toString());
    assertThat(browser.findElements(By.cssSelector("a.backfill-link"))).isEmpty();
    screenshot("backfill-viewer");
  }

  /**
   * Live updates: with the event stream open the meta refresh is gone, and an execution cancelled
   * through the API changes the list's row and counts and the execution's page without a reload (a
   * marker set in the page survives, which a reload would wipe).
   */
  @Test
  void shouldUpdateTheListAndAnExecutionsPageWhenItsEventsArrive() throws IOException {
    UUID workflow = fixtures.savedWorkflow("wf_live");
    UUID listed = fixtures.submit(workflow);
    UUID opened = fixtures.submit(workflow);
    browser.get(
        "http://viewer:"
            + Api.VIEWER_TOKEN
            + "@"
            + root.getHost()
            + ":"
            + root.getPort()
            + "/?workflow="
            + workflow);
    awaitLive();
    assertThat(browser.findElements(By.cssSelector("meta[http-equiv=refresh]"))).isEmpty();
    assertThat(browser.findElement(By.cssSelector("header.top .refresh-mode")).getText())
        .isEqualTo("· live");
    assertThat(
            browser
                .findElement(By.cssSelector("tr[data-id='" + listed + "']"))
                .getAttribute("data-status"))
        .isEqualTo("pending");
    browser.executeScript("window.notReloaded = true");

    Api.operator().post("/api/v1/executions/{id}/cancel", listed).then().statusCode(200);

    new WebDriverWait(browser, LIVE_WAIT)
        .until(
            ignored ->
                "cancelled"
                    .equals(
                        browser
                            .findElement(By.cssSelector("tr[data-id='" + listed + "']"))
                            .getAttribute("data-status")));
    assertThat(browser.executeScript("return window.notReloaded === true")).isEqualTo(true);
    assertThat(
            browser
                .findElement(By.cssSelector("nav.filters a[data-status='cancelled'] .count"))
                .getText())
        .isEqualTo("1");
    screenshot("live-list");

    browser.get(root + "executions/" + opened);
    awaitLive();
    assertThat(browser.findElement(By.cssSelector("h1 .badge")).getText()).isEqualTo("Pending");
    browser.executeScript("window.notReloaded = true");

    Api.operator().post("/api/v1/executions/{id}/cancel", opened).then().statusCode(200);

    new WebDriverWait(browser, LIVE_WAIT)
        .until(
            ignored ->
                browser.findElement(By.cssSelector("h1 .badge")).getText().equals("Cancelled"));
    assertThat(browser.executeScript("return window.notReloaded === true")).isEqualTo(true);
    assertThat(browser.findElements(By.cssSelector("tr.event")))
        .extracting(row -> row.getAttribute("data-type"))
        .contains("TRANSITION");
    screenshot("live-execution");
  }

  /** The page's script opened the event stream (the browser sent the page's credentials). */
  private static void awaitLive() {
    try {
      new WebDriverWait(browser, LIVE_WAIT)
          .until(
              ignored ->
                  "on".equals(browser.findElement(By.tagName("body")).getAttribute("data-live")));
    } catch (TimeoutException e) {
      throw new AssertionError(
          "the event stream did not open: data-live="
              + browser.findElement(By.tagName("body")).getAttribute("data-live"),
          e);
    }
  }

  private String operatorUrl(String path) {
    return "http://operator:" + Api.OPERATOR_TOKEN + "@127.0.0.1:" + root.getPort() + path;
  }

  /** A date input set as its picker would set it (typing depends on the browser's locale). */
  private static void date(String id, String value) {
    browser.executeScript(
        "const input = document.getElementById(arguments[0]); input.value = arguments[1];"
            + " input.dispatchEvent(new Event('input', {bubbles: true}));",
        id,
        value);
  }

  private static WebElement waitFor(String css) {
    return new WebDriverWait(browser, WAIT)
        .until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(css)));
  }

  private static WebElement badge(String executionId) {
    return browser.findElement(By.cssSelector("tr[data-id='" + executionId + "'] .badge"));
  }

  /**
   * The whole page, not only the window: Chromium's own full-page capture, asked for through
   * chromedriver's CDP pass-through (no CDP bindings of a particular Chromium version needed).
   */
  private static void screenshot(String name) throws IOException {
    Map<String, Object> layout = browser.executeCdpCommand("Page.getLayoutMetrics", Map.of());
    @SuppressWarnings("unchecked")
    Map<String, Object> content = (Map<String, Object>) layout.get("cssContentSize");
    Map<String, Object> clip =
        Map.of(
            "x", 0,
            "y", 0,
            "width", ((Number) content.get("width")).doubleValue(),
            "height", ((Number) content.get("height")).doubleValue(),
            "scale", 1);
    Map<String, Object> shot =
        browser.executeCdpCommand(
            "Page.captureScreenshot",
            Map.of("format", "png", "captureBeyondViewport", true, "clip", clip));
    Files.write(
        SCREENSHOTS.resolve(name + ".png"), Base64.getDecoder().decode((String) shot.get("data")));
  }
}
