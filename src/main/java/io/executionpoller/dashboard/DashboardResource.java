package io.executionpoller.dashboard;

import io.executionpoller.api.ApiProblem;
import io.executionpoller.api.ExecutionFilter;
import io.executionpoller.api.ExecutionQueries;
import io.executionpoller.api.ExecutionView;
import io.executionpoller.api.PageCursor;
import io.executionpoller.api.QueryParams;
import io.executionpoller.api.WorkflowQueries;
import io.executionpoller.notify.DeliveryStore;
import io.executionpoller.notify.EventStreamStore;
import io.executionpoller.results.ResultQueries;
import io.executionpoller.results.ResultResource;
import io.executionpoller.results.ResultStatus;
import io.executionpoller.security.AccessFilter;
import io.executionpoller.security.Caller;
import io.executionpoller.security.Role;
import io.executionpoller.stuck.StuckDetector;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The read-only dashboard: executions newest first, filtered by status, and one execution with its
 * events and result preview. Server-rendered with Qute (HTML-escaped); the only scripts are the
 * daemon's own ({@link DashboardAssets}): live updates, an operator's bulk actions and the backfill
 * form, which change state only through the JSON API. The access filter guards it like every REST
 * route: a viewer token as the Basic password.
 */
@Path("/")
@Produces(DashboardResource.HTML)
public class DashboardResource {

  static final String HTML = "text/html;charset=UTF-8";

  /**
   * Scripts only from the daemon itself ({@link DashboardAssets}; nothing inline, so an escaping
   * slip cannot become one), their requests only to it, inline styles only, data: for the empty
   * favicon, forms only to the daemon itself (the list's filter form is a GET), and no framing.
   */
  static final String CONTENT_SECURITY_POLICY =
      "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline';"
          + " img-src data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

  private static final int MAX_PAGE_SIZE = 500;

  /** Webhook deliveries listed on an execution's page; the API lists them all. */
  private static final int MAX_DELIVERIES = 50;

  /** Workflows offered by the backfill form's list, newest first. */
  private static final int BACKFILL_WORKFLOWS = 500;

  @CheckedTemplate(basePath = "dashboard")
  static class Templates {
    static native TemplateInstance executions(ListPage page);

    static native TemplateInstance execution(DetailPage page);

    static native TemplateInstance problem(ProblemPage page);

    static native TemplateInstance problems(ProblemsPage page);

    static native TemplateInstance charts(ChartPage page);

    static native TemplateInstance backfill(BackfillPage page);
  }

  private final ExecutionQueries executions;
  private final ResultQueries results;
  private final ResultResource downloads;
  private final StuckDetector stuck;
  private final ChartQueries charts;
  private final DashboardConfig config;
  private final Clock clock;
  private final DeliveryStore deliveries;
  private final WorkflowQueries workflows;
  private final EventStreamStore stream;

  DashboardResource(
      ExecutionQueries executions,
      ResultQueries results,
      ResultResource downloads,
      StuckDetector stuck,
      ChartQueries charts,
      DashboardConfig config,
      Clock clock,
      DeliveryStore deliveries,
      WorkflowQueries workflows,
      EventStreamStore stream) {
    this.stream = stream;
    this.deliveries = deliveries;
    this.workflows = workflows;
    this.executions = executions;
    this.results = results;
    this.downloads = downloads;
    this.stuck = stuck;
    this.charts = charts;
    this.config = config;
    this.clock = clock;
  }

  @GET
  public Uni<Response> list(
      @QueryParam("status") List<String> status,
      @QueryParam("workflow") String workflow,
      @QueryParam("instance") String instance,
      @QueryParam("advertiser") String advertiser,
      @QueryParam("errorType") String errorType,
      @QueryParam("from") String from,
      @QueryParam("to") String to,
      @QueryParam("cursor") String cursor,
      @QueryParam("limit") String limit,
      @Context ContainerRequestContext request) {
    ListQuery query =
        ListQuery.parse(
            status, workflow, instance, advertiser, errorType, from, to, limit, MAX_PAGE_SIZE);
    boolean paged = cursor != null && !cursor.isEmpty();
    ExecutionFilter filter = query.filter();
    PageCursor after = PageCursor.decode(cursor);
    int size = query.limit() > 0 ? query.limit() : config.pageSize();
    boolean operator = operator(request);
    // The newest event first: the page's live updates follow the stream from there.
    return stream
        .newest()
        .chain(
            newest ->
                executions
                    .list(filter, after, size)
                    .chain(
                        page ->
                            executions
                                .countByStatus(filter)
                                .map(
                                    counts ->
                                        DashboardPages.list(
                                            page,
                                            query,
                                            counts,
                                            paged,
                                            refreshSeconds(),
                                            clock.instant(),
                                            operator,
                                            DashboardPages.liveStream(newest)))))
        .map(page -> html(200, Templates.executions(page)));
  }

  /**
   * The backfill form, for operators; a viewer gets the page without it. The form changes state
   * only through its script's call to POST /api/v1/executions/backfill (JSON), which the access
   * filter refuses to a viewer as well.
   */
  @GET
  @Path("backfill")
  public Uni<Response> backfill(@Context ContainerRequestContext request) {
    Instant now = clock.instant();
    if (!operator(request)) {
      return Uni.createFrom()
          .item(html(200, Templates.backfill(DashboardPages.backfillRefused(now))));
    }
    return workflows
        .list(null, null, BACKFILL_WORKFLOWS)
        .map(
            page ->
                html(
                    200,
                    Templates.backfill(
                        DashboardPages.backfill(page.items(), page.next() != null, now))));
  }

  /** Operators see the bulk actions and the backfill form; a viewer's page has no action at all. */
  private static boolean operator(ContainerRequestContext request) {
    Caller caller = (Caller) request.getProperty(AccessFilter.CALLER);
    return caller != null && caller.role().allows(Role.OPERATOR);
  }

  @GET
  @Path("executions/{id}")
  public Uni<Response> detail(@PathParam("id") String id) {
    UUID executionId = QueryParams.uuid("id", id);
    return stream.newest().chain(newest -> detail(executionId, newest));
  }

  private Uni<Response> detail(UUID executionId, long newest) {
    return executions
        .detail(executionId)
        .onItem()
        .ifNull()
        .failWith(() -> ApiProblem.notFound("execution " + executionId + " does not exist"))
        .chain(
            execution ->
                // One more than shown tells whether older events exist.
                executions
                    .latestEvents(executionId, config.events() + 1)
                    .chain(
                        events ->
                            preview(execution)
                                .chain(
                                    preview ->
                                        Panache.withSession(
                                                () ->
                                                    deliveries.ofExecution(
                                                        executionId, MAX_DELIVERIES))
                                            .map(
                                                sent ->
                                                    html(
                                                        200,
                                                        Templates.execution(
                                                            DashboardPages.detail(
                                                                execution,
                                                                events,
                                                                config.events(),
                                                                preview,
                                                                sent,
                                                                refreshSeconds(),
                                                                clock.instant(),
                                                                DashboardPages.liveStream(
                                                                    newest))))))));
  }

  /**
   * What needs a person: the stuck executions by reason, each reason with what helps, and the dead
   * webhook deliveries.
   */
  @GET
  @Path("problems")
  public Uni<Response> problems() {
    Instant now = clock.instant();
    int rows = config.problemRows();
    return Panache.withSession(
        () ->
            stuck
                .find(now, rows)
                .chain(
                    found ->
                        stuck
                            .count(now)
                            .chain(
                                counts ->
                                    deliveries
                                        .dead(rows)
                                        .chain(
                                            dead ->
                                                deliveries
                                                    .deadCount()
                                                    .map(
                                                        deadCount ->
                                                            html(
                                                                200,
                                                                Templates.problems(
                                                                    DashboardPages.problems(
                                                                        found,
                                                                        counts,
                                                                        dead,
                                                                        deadCount,
                                                                        refreshSeconds(),
                                                                        now))))))));
  }

  /**
   * The last day drawn: completions per hour by final status, the due-check backlog, and the
   * figures per workflow and per instance; {@code workflow} or {@code instance} narrows it to one.
   */
  @GET
  @Path("charts")
  public Uni<Response> charts(
      @QueryParam("workflow") String workflow, @QueryParam("instance") String instance) {
    UUID workflowId = QueryParams.optionalUuid("workflow", workflow);
    String instanceId = QueryParams.optionalRemoteId("instance", instance);
    Instant now = clock.instant();
    Instant since = Charts.windowStart(now);
    return charts
        .read(since, Charts.windowEnd(now), workflowId, instanceId)
        .map(
            window ->
                html(
                    200,
                    Templates.charts(
                        DashboardPages.charts(
                            window, since, workflowId, instanceId, refreshSeconds(), now))));
  }

  /**
   * The first rows of a stored result; the results feature reads them with its streaming JDBC
   * reads, so off the event loop.
   */
  private Uni<List<List<String>>> preview(ExecutionView execution) {
    int previewRows = Math.min(config.previewRows(), ResultQueries.MAX_PREVIEW_ROWS);
    if (previewRows <= 0
        || execution.result() == null
        || !ResultStatus.STORED.name().equals(execution.result().status())) {
      return Uni.createFrom().item(List.of());
    }
    return VertxContextSupport.executeBlocking(
        () -> results.firstRows(execution.id(), previewRows));
  }

  /**
   * One stored result file as it came, served by the API's own download code. The page links here
   * rather than to {@code /api/v1/...}: the API's paths challenge for a Bearer token, which a
   * browser cannot answer, so a browser that does not volunteer its Basic credentials there (it
   * keeps them per path; Chromium in the browser test did not) got a 401 instead of the file. Here
   * the challenge is Basic, as on every dashboard page.
   */
  @GET
  @Path("executions/{id}/results/download")
  @Produces(MediaType.WILDCARD)
  public Response download(@PathParam("id") String id, @QueryParam("file") String file)
      throws SQLException {
    return downloads.download(id, file);
  }

  /** A bad filter or an unknown execution is shown as a page; the API answers problem+json. */
  @ServerExceptionMapper
  Response refused(ApiProblem problem) {
    Response.Status known = Response.Status.fromStatusCode(problem.status());
    return html(
        problem.status(),
        Templates.problem(
            new ProblemPage(
                problem.status(),
                known == null ? "Error" : known.getReasonPhrase(),
                problem.getMessage(),
                Display.time(clock.instant()))));
  }

  private long refreshSeconds() {
    return config.refreshInterval().toSeconds();
  }

  private static Response html(int status, TemplateInstance page) {
    return secured(Response.status(status).type(HTML).entity(page.render())).build();
  }

  /** The dashboard's security headers, on its pages and its scripts alike. */
  static Response.ResponseBuilder secured(Response.ResponseBuilder response) {
    return response
        .header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        .header("X-Content-Type-Options", "nosniff")
        .header("Referrer-Policy", "no-referrer")
        // Pages show live state and may carry error text: never from a cache.
        .header("Cache-Control", "no-store");
  }
}
