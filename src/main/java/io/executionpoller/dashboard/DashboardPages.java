package io.executionpoller.dashboard;

import io.executionpoller.api.BatchRegistration;
import io.executionpoller.api.EventView;
import io.executionpoller.api.ExecutionSummary;
import io.executionpoller.api.ExecutionView;
import io.executionpoller.api.Page;
import io.executionpoller.api.WorkflowView;
import io.executionpoller.execution.ExecutionStatus;
import io.executionpoller.failure.ErrorType;
import io.executionpoller.notify.DeadDelivery;
import io.executionpoller.notify.DeliveryStatus;
import io.executionpoller.notify.DeliveryView;
import io.executionpoller.results.ResultStatus;
import io.executionpoller.results.ResultSummary;
import io.executionpoller.stuck.StuckExecution;
import io.executionpoller.stuck.StuckReason;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Turns what the queries read into pages: pure, so every label, link and duration is decided here
 * and tested without a browser. {@code now} comes from the application clock.
 */
final class DashboardPages {

  /** Error text in the list is cut here; the execution's page shows it whole. */
  static final int LIST_ERROR_CHARS = 120;

  /** A tooltip holds at most this much of an error. */
  static final int TITLE_CHARS = 1000;

  /** A preview cell is cut here; the download has the value whole. */
  static final int CELL_CHARS = 200;

  private DashboardPages() {}

  static ListPage list(
      Page<ExecutionSummary> page,
      ListQuery query,
      Map<ExecutionStatus, Long> counts,
      boolean paged,
      long refreshSeconds,
      Instant now,
      boolean operator,
      String liveStream) {
    List<ListPage.Row> rows = new ArrayList<>();
    for (ExecutionSummary execution : page.items()) {
      rows.add(row(execution, now));
    }
    List<ListPage.Filter> filters = new ArrayList<>();
    long total = 0;
    for (ExecutionStatus status : ExecutionStatus.values()) {
      long count = counts.getOrDefault(status, 0L);
      total += count;
      filters.add(
          new ListPage.Filter(
              StatusLook.of(status),
              query.withStatuses(Set.of(status)).url(null),
              query.statuses().equals(Set.of(status)),
              Display.number(count)));
    }
    List<ListPage.Option> errorTypes = new ArrayList<>();
    for (ErrorType type : ErrorType.values()) {
      errorTypes.add(new ListPage.Option(type.name(), type.name().equals(query.errorType())));
    }
    return new ListPage(
        rows,
        filters,
        !query.statuses().isEmpty(),
        query.withStatuses(Set.of()).url(null),
        Display.number(total),
        new ListPage.Form(
            text(query.workflow()),
            text(query.instance()),
            text(query.advertiser()),
            errorTypes,
            text(query.from()),
            text(query.to()),
            query.statuses().stream().sorted().map(Enum::name).collect(Collectors.joining(",")),
            query.limit() > 0 ? Integer.toString(query.limit()) : ""),
        query.narrowed() || !query.statuses().isEmpty(),
        page.next() == null ? null : query.url(page.next()),
        paged ? query.url(null) : null,
        operator ? 0 : refreshSeconds,
        Display.time(now),
        operator,
        liveStream,
        operator ? refreshSeconds : 0);
  }

  /** The backfill form, with the workflows to choose from (an operator's page). */
  static BackfillPage backfill(List<WorkflowView> workflows, boolean more, Instant now) {
    List<BackfillPage.Workflow> options =
        workflows.stream()
            .map(
                w ->
                    new BackfillPage.Workflow(
                        w.id().toString(),
                        workflowLabel(w.name(), w.id())
                            + " · "
                            + Display.text(w.workflowId())
                            + " · "
                            + Display.text(w.instanceId())))
            .toList();
    return new BackfillPage(true, options, more, BatchRegistration.MAX_ITEMS, 0, Display.time(now));
  }

  /** What a viewer sees instead of the backfill form. */
  static BackfillPage backfillRefused(Instant now) {
    return new BackfillPage(
        false, List.of(), false, BatchRegistration.MAX_ITEMS, 0, Display.time(now));
  }

  /**
   * The Problems page: one group per kind that has any, in the order of {@link StuckReason}, each
   * with its full count and the rows read (at most the page's bound, longest-stuck first).
   */
  static ProblemsPage problems(
      List<StuckExecution> stuck,
      Map<StuckReason, Long> counts,
      List<DeadDelivery> dead,
      long deadCount,
      long refreshSeconds,
      Instant now) {
    List<ProblemsPage.Group> groups = new ArrayList<>();
    long total = 0;
    long shown = 0;
    for (StuckReason reason : StuckReason.values()) {
      long count = counts.getOrDefault(reason, 0L);
      if (count == 0) {
        continue;
      }
      total += count;
      ProblemAdvice advice = ProblemAdvice.of(reason);
      List<ProblemsPage.Row> rows = new ArrayList<>();
      for (StuckExecution execution : stuck) {
        if (execution.reason() == reason) {
          rows.add(problemRow(execution, advice));
        }
      }
      shown += rows.size();
      groups.add(
          new ProblemsPage.Group(
              reason.name().toLowerCase(Locale.ROOT).replace('_', '-'),
              advice,
              Display.number(count),
              rows));
    }
    ProblemsPage.Dead deadGroup = null;
    if (deadCount > 0) {
      deadGroup =
          new ProblemsPage.Dead(
              Display.number(deadCount),
              dead.size() < deadCount,
              dead.stream().map(DashboardPages::deadRow).toList());
    }
    return new ProblemsPage(
        groups,
        deadGroup,
        Display.number(total + deadCount),
        shown < total,
        refreshSeconds,
        Display.time(now));
  }

  private static ProblemsPage.DeadRow deadRow(DeadDelivery dead) {
    DeliveryView delivery = dead.delivery();
    String execution = delivery.executionId().toString();
    return new ProblemsPage.DeadRow(
        delivery.id().toString(),
        execution,
        execution.substring(0, 8),
        executionUrl(delivery.executionId()),
        delivery.subscriptionId().toString(),
        Display.text(dead.receiver()),
        Display.text(delivery.eventType()),
        Display.number((long) delivery.attempts()),
        delivery.lastAttemptAt() == null ? "" : Display.time(delivery.lastAttemptAt()),
        delivery.lastStatusCode() == null ? "no answer" : delivery.lastStatusCode().toString(),
        Display.shortened(delivery.lastError(), LIST_ERROR_CHARS),
        "POST /api/v1/deliveries/" + delivery.id() + "/redeliver");
  }

  private static ProblemsPage.Row problemRow(StuckExecution execution, ProblemAdvice advice) {
    String id = execution.executionId().toString();
    return new ProblemsPage.Row(
        id,
        id.substring(0, 8),
        executionUrl(execution.executionId()),
        StatusLook.of(ExecutionStatus.valueOf(execution.status())),
        Display.time(execution.since()),
        Display.text(execution.detail()),
        Display.shortened(execution.lastError(), LIST_ERROR_CHARS),
        advice.actions().replace("{id}", id));
  }

  /** The charts page of one day's window, narrowed to a workflow or an instance, or to neither. */
  static ChartPage charts(
      ChartQueries.Window window,
      Instant since,
      UUID workflow,
      String instance,
      long refreshSeconds,
      Instant now) {
    String scope =
        workflow != null
            ? "workflow " + workflow
            : instance != null ? "AMC instance " + instance : "all workflows and instances";
    List<ChartPage.Legend> legend = new ArrayList<>();
    for (ExecutionStatus status : Charts.STACK) {
      StatusLook look = StatusLook.of(status);
      legend.add(new ChartPage.Legend(look.key(), look.label()));
    }
    return new ChartPage(
        scope,
        workflow != null || instance != null,
        Display.time(since) + " to " + Display.time(Charts.windowEnd(now)),
        Charts.completions(window.perHour(), since),
        legend,
        Charts.backlog(window.backlog(), since),
        Charts.table(window.workflows(), row -> "/charts?workflow=" + row.key()),
        Charts.table(
            window.instances(),
            row -> "/charts?instance=" + URLEncoder.encode(row.key(), StandardCharsets.UTF_8)),
        refreshSeconds,
        Display.time(now));
  }

  private static String text(String value) {
    return value == null ? "" : value;
  }

  private static ListPage.Row row(ExecutionSummary execution, Instant now) {
    String id = execution.id().toString();
    return new ListPage.Row(
        id,
        id.substring(0, 8),
        executionUrl(execution.id()),
        workflowLabel(execution.workflowName(), execution.workflowId()),
        Display.text(execution.instanceId()),
        StatusLook.of(execution.status()),
        Display.time(execution.createdAt()),
        Display.runningTime(
            execution.status(), execution.startedAt(), execution.completedAt(), now),
        Display.number(execution.resultRows()),
        execution.errorType() == null ? "" : execution.errorType(),
        Display.shortened(execution.errorMessage(), LIST_ERROR_CHARS),
        Display.shortened(execution.errorMessage(), TITLE_CHARS));
  }

  static DetailPage detail(
      ExecutionView execution,
      List<EventView> newestEvents,
      int eventLimit,
      List<List<String>> preview,
      List<DeliveryView> deliveries,
      long refreshSeconds,
      Instant now,
      String liveStream) {
    List<DetailPage.Event> events = new ArrayList<>();
    for (EventView event : newestEvents.subList(0, Math.min(eventLimit, newestEvents.size()))) {
      events.add(event(event));
    }
    String workflow = workflowLabel(execution.workflowName(), execution.workflowId());
    return new DetailPage(
        execution.id().toString(),
        workflow,
        StatusLook.of(execution.status()),
        fields(execution, now),
        events,
        newestEvents.size() > eventLimit,
        "/api/v1/executions/" + execution.id() + "/events",
        result(execution, preview),
        deliveries.stream().map(DashboardPages::delivery).toList(),
        "/api/v1/deliveries?executionId=" + execution.id(),
        refreshes(execution) ? refreshSeconds : 0,
        Display.time(now),
        liveStream);
  }

  private static DetailPage.Delivery delivery(DeliveryView d) {
    String answer =
        d.lastStatusCode() != null
            ? Integer.toString(d.lastStatusCode())
            : d.lastError() == null ? "" : d.lastError();
    String next =
        d.status() == DeliveryStatus.DELIVERED
            ? "delivered " + Display.time(d.deliveredAt())
            : d.nextAttemptAt() == null ? "" : Display.time(d.nextAttemptAt());
    return new DetailPage.Delivery(
        d.id().toString(), d.eventType(), d.status().name(), d.attempts(), answer, next);
  }

  /** A page worth reloading: the execution or its download may still change. */
  static boolean refreshes(ExecutionView execution) {
    if (!execution.status().isTerminal()) {
      return true;
    }
    ResultSummary result = execution.result();
    return result != null
        && (ResultStatus.PENDING.name().equals(result.status())
            || ResultStatus.DOWNLOADING.name().equals(result.status()));
  }

  private static List<DetailPage.Field> fields(ExecutionView e, Instant now) {
    List<DetailPage.Field> fields = new ArrayList<>();
    fields.add(code("Execution id", e.id().toString()));
    fields.add(plain("Workflow", workflowLabel(e.workflowName(), e.workflowId())));
    fields.add(code("Workflow id", e.workflowId().toString()));
    fields.add(code("AMC instance", e.instanceId()));
    fields.add(code("AMC execution id", e.amcExecutionId()));
    fields.add(plain("Status in AMC", e.remoteStatus()));
    fields.add(plain("AMC status reason", e.statusReason()));
    fields.add(plain("Waiting for AMC quota", e.queuedReason()));
    fields.add(code("Published to S3", e.result() == null ? null : e.result().outputS3Uri()));
    fields.add(
        plain(
            "Running time", Display.runningTime(e.status(), e.startedAt(), e.completedAt(), now)));
    fields.add(plain("Registered", Display.time(e.createdAt())));
    fields.add(plain("Submitted", Display.time(e.submittedAt())));
    fields.add(plain("Started", Display.time(e.startedAt())));
    fields.add(plain("Completed", Display.time(e.completedAt())));
    fields.add(plain("Error type", e.errorType()));
    fields.add(plain("Error", e.errorMessage()));
    fields.add(plain("Checks", Integer.toString(e.pollCount())));
    fields.add(plain("Last checked", Display.time(e.lastPolledAt())));
    if (!e.status().isTerminal()) {
      fields.add(plain("Next check", Display.time(e.nextPollAt())));
      fields.add(plain("Lease holder", e.leaseOwner()));
    }
    fields.add(plain("Failed checks in a row", Integer.toString(e.consecutivePollErrors())));
    fields.add(plain("Last check error", e.lastError()));
    fields.add(plain("Resubmissions", Integer.toString(e.retryCount())));
    if (e.nextRetryAt() != null) {
      fields.add(plain("Next resubmission", Display.time(e.nextRetryAt())));
    }
    if (e.retryOf() != null) {
      fields.add(link("Retry of", e.retryOf()));
    }
    if (e.retriedBy() != null) {
      fields.add(link("Retried by", e.retriedBy()));
    }
    fields.add(code("Parameters", parameters(e.parameterValues())));
    fields.add(plain("Time window", timeWindow(e)));
    return fields;
  }

  private static DetailPage.Event event(EventView event) {
    String transition =
        event.toStatus() == null
            ? ""
            : (event.fromStatus() == null ? "" : event.fromStatus() + " ")
                + "→ "
                + event.toStatus();
    return new DetailPage.Event(
        event.sequence(),
        Display.time(event.occurredAt()),
        event.type(),
        event.attempt(),
        transition,
        event.remoteStatus() == null ? "" : event.remoteStatus(),
        event.message() == null ? "" : event.message(),
        event.replica() == null ? "" : event.replica());
  }

  private static DetailPage.Result result(ExecutionView execution, List<List<String>> preview) {
    ResultSummary result = execution.result();
    if (result == null) {
      return null;
    }
    String base = executionUrl(execution.id()) + "/results/download?file=";
    String api = "/api/v1" + base;
    List<DetailPage.File> files = new ArrayList<>();
    for (ResultSummary.StoredFile file : result.files()) {
      files.add(
          new DetailPage.File(
              file.name(),
              Display.number(file.rows()),
              Display.bytes(file.bytes()),
              base + file.index(),
              api + file.index()));
    }
    List<List<String>> cells = new ArrayList<>();
    for (List<String> row : preview) {
      List<String> shown = new ArrayList<>(row.size());
      for (String value : row) {
        shown.add(value == null ? "" : Display.shortened(value, CELL_CHARS));
      }
      cells.add(shown);
    }
    String summary =
        ResultStatus.UNDELIVERABLE.name().equals(result.status())
            ? "AMC delivers nothing to download"
            : ResultStatus.STORED.name().equals(result.status())
                ? Display.number(result.rowCount())
                    + " rows in "
                    + result.files().size()
                    + (result.files().size() == 1 ? " file, " : " files, ")
                    + Display.bytes(result.byteSize())
                : "attempt "
                    + result.attempts()
                    + (result.nextAttemptAt() == null
                        ? ""
                        : ", next at " + Display.time(result.nextAttemptAt()));
    long total = result.rowCount() == null ? 0 : result.rowCount();
    String note =
        cells.isEmpty()
            ? ""
            : "The first " + cells.size() + " of " + Display.number(total) + " rows.";
    return new DetailPage.Result(
        result.status(),
        summary,
        result.lastError() == null ? "" : result.lastError(),
        files,
        result.columns(),
        cells,
        note);
  }

  private static String parameters(Map<String, String> values) {
    if (values == null || values.isEmpty()) {
      return Display.NONE;
    }
    return values.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .map(entry -> entry.getKey() + "=" + entry.getValue())
        .collect(Collectors.joining(", "));
  }

  private static String timeWindow(ExecutionView e) {
    if (e.timeWindow() == null) {
      return Display.NONE;
    }
    StringBuilder text = new StringBuilder(Display.text(e.timeWindow().type()));
    if (e.timeWindow().start() != null) {
      text.append(' ').append(e.timeWindow().start()).append(" to ").append(e.timeWindow().end());
    }
    if (e.timeWindow().timeZone() != null) {
      text.append(" (").append(e.timeWindow().timeZone()).append(')');
    }
    return text.toString();
  }

  static String workflowLabel(String name, UUID workflowId) {
    return name == null || name.isBlank()
        ? "workflow " + workflowId.toString().substring(0, 8)
        : name;
  }

  /**
   * The event stream after {@code newest}, the newest event read before the page's data: an event
   * that lands while the page is read is streamed (and at worst read twice), never missed.
   */
  static String liveStream(long newest) {
    return "/api/v1/events/stream?after=" + newest;
  }

  static String executionUrl(UUID id) {
    return "/executions/" + id;
  }

  private static DetailPage.Field plain(String label, String value) {
    return new DetailPage.Field(label, Display.text(value), null, false);
  }

  /** A value in a monospace font (ids, parameters); a missing one is a plain dash. */
  private static DetailPage.Field code(String label, String value) {
    boolean missing = value == null || value.isBlank() || value.equals(Display.NONE);
    return new DetailPage.Field(label, Display.text(value), null, !missing);
  }

  private static DetailPage.Field link(String label, UUID execution) {
    return new DetailPage.Field(label, execution.toString(), executionUrl(execution), true);
  }
}
