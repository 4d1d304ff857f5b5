package io.executionpoller.api;

import io.executionpoller.backfill.BackfillPeriod;
import io.executionpoller.backfill.BackfillWindow;
import io.executionpoller.backfill.BackfillWindows;
import io.executionpoller.execution.TimeWindow;
import io.executionpoller.execution.Workflow;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * A backfill: its windows worked out by {@link BackfillWindows}, then registered as one batch
 * through {@link BatchRegistrations}, all or nothing. Each window's idempotency key is derived from
 * the workflow and the window alone, so sending the same backfill again (or one overlapping it)
 * within poller.api.idempotency-key-lifetime registers no window twice: those items replay.
 */
@ApplicationScoped
public class Backfills {

  /** Longest reason kept, in characters. */
  static final int MAX_REASON = 500;

  /** AMC's EXPLICIT windows are local times; a backfill's are UTC, said so in timeZone. */
  static final String TIME_ZONE = "UTC";

  private static final String LIVE_KEYS =
      """
      SELECT idempotency_key FROM execution_idempotency_keys
       WHERE idempotency_key = ANY(CAST(:keys AS text[])) AND expires_at > :now
      """;

  private final BatchRegistrations batches;
  private final Clock clock;

  Backfills(BatchRegistrations batches, Clock clock) {
    this.batches = batches;
    this.clock = clock;
  }

  /**
   * The backfill's windows, and unless {@code dryRun} its registration; {@code by} is the caller.
   */
  public Uni<BackfillAnswer> backfill(BackfillRequest request, String by) {
    Plan plan = plan(request);
    return Panache.withSession(() -> workflowExists(plan).chain(() -> liveKeys(plan)))
        .chain(
            registered -> plan.dryRun ? preview(plan, registered) : register(plan, registered, by));
  }

  /**
   * The request checked and expanded: 400 for a malformed field, 422 for a range that cannot be.
   */
  static Plan plan(BackfillRequest request) {
    if (request == null || request.workflowId() == null) {
      throw ApiProblem.badRequest("workflowId (a UUID) is required");
    }
    LocalDate from = date("from", request.from());
    LocalDate to = date("to", request.to());
    BackfillPeriod period = period(request.period());
    if (request.reason() != null && request.reason().length() > MAX_REASON) {
      throw ApiProblem.badRequest("reason must be at most " + MAX_REASON + " characters");
    }
    if (!to.isAfter(from)) {
      throw new ApiProblem(422, "to (exclusive) must be after from: " + from + " .. " + to);
    }
    List<BackfillWindow> windows =
        BackfillWindows.of(from, to, period, BatchRegistration.MAX_ITEMS);
    if (windows.size() > BatchRegistration.MAX_ITEMS) {
      throw new ApiProblem(
          422,
          "from "
              + from
              + " to "
              + to
              + " makes more than "
              + BatchRegistration.MAX_ITEMS
              + " "
              + period.name().toLowerCase(Locale.ROOT)
              + " windows; split it into several backfills");
    }
    List<BatchItem> items = windows.stream().map(window -> item(request, window)).toList();
    // The template is checked as the single registration checks its parameters (400), once.
    ExecutionResource.validate(items.get(0).registration());
    return new Plan(
        request, from, to, period, windows, items, Boolean.TRUE.equals(request.dryRun()));
  }

  /**
   * The key that registers this window of this workflow: the same for every backfill that covers
   * the window, whatever its range or parameters.
   */
  static String key(UUID workflowId, BackfillWindow window) {
    return "backfill:" + workflowId + ":" + amcTime(window.start()) + "/" + amcTime(window.end());
  }

  private static BatchItem item(BackfillRequest request, BackfillWindow window) {
    String start = amcTime(window.start());
    String end = amcTime(window.end());
    Map<String, String> parameters = null;
    if (request.parameterValues() != null) {
      parameters = new LinkedHashMap<>();
      for (Map.Entry<String, String> entry : request.parameterValues().entrySet()) {
        String value = entry.getValue();
        parameters.put(
            entry.getKey(),
            value == null
                ? null
                : value.replace("{windowStart}", start).replace("{windowEnd}", end));
      }
    }
    return new BatchItem(
        key(request.workflowId(), window),
        request.workflowId(),
        null,
        parameters,
        new TimeWindow("EXPLICIT", start, end, TIME_ZONE),
        null);
  }

  private static String amcTime(LocalDate date) {
    return date + "T00:00:00";
  }

  private static LocalDate date(String field, String value) {
    if (value == null) {
      throw ApiProblem.badRequest(field + " (a date, yyyy-MM-dd) is required");
    }
    try {
      return LocalDate.parse(value);
    } catch (DateTimeParseException e) {
      throw ApiProblem.badRequest(field + " must be a date (yyyy-MM-dd)");
    }
  }

  private static BackfillPeriod period(String value) {
    if (value != null) {
      for (BackfillPeriod period : BackfillPeriod.values()) {
        if (period.name().equalsIgnoreCase(value)) {
          return period;
        }
      }
    }
    throw ApiProblem.badRequest("period must be one of DAILY, WEEKLY, MONTHLY");
  }

  private static Uni<Void> workflowExists(Plan plan) {
    return Workflow.findById(plan.request.workflowId())
        .onItem()
        .ifNull()
        .failWith(
            () -> ApiProblem.notFound("workflow " + plan.request.workflowId() + " does not exist"))
        .replaceWithVoid();
  }

  /** The windows' keys still remembered: those windows are registered already. */
  private Uni<Set<String>> liveKeys(Plan plan) {
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(LIVE_KEYS, String.class)
                    .setParameter(
                        "keys",
                        plan.items.stream().map(BatchItem::idempotencyKey).toArray(String[]::new))
                    .setParameter("now", clock.instant())
                    .getResultList())
        .map(HashSet::new);
  }

  private static Uni<BackfillAnswer> preview(Plan plan, Set<String> registered) {
    return Uni.createFrom().item(plan.answer(registered, null));
  }

  private Uni<BackfillAnswer> register(Plan plan, Set<String> registered, String by) {
    return batches
        .register(new BatchRegistration(plan.items), plan.note(by))
        .map(batch -> plan.answer(registered, batch));
  }

  /** A checked backfill: its windows and the batch items that register them. */
  record Plan(
      BackfillRequest request,
      LocalDate from,
      LocalDate to,
      BackfillPeriod period,
      List<BackfillWindow> windows,
      List<BatchItem> items,
      boolean dryRun) {

    /** Who, what and why, for each execution's REGISTERED event. */
    String note(String by) {
      String what =
          "backfill "
              + period.name().toLowerCase(Locale.ROOT)
              + " "
              + from
              + " .. "
              + to
              + " by "
              + by;
      String reason = request.reason();
      return reason == null || reason.isBlank() ? what : what + ": " + reason.strip();
    }

    BackfillAnswer answer(Set<String> registered, BatchAnswer batch) {
      List<BackfillAnswer.Window> shown =
          java.util.stream.IntStream.range(0, windows.size())
              .mapToObj(
                  i ->
                      new BackfillAnswer.Window(
                          amcTime(windows.get(i).start()),
                          amcTime(windows.get(i).end()),
                          windows.get(i).partial(),
                          items.get(i).idempotencyKey(),
                          registered.contains(items.get(i).idempotencyKey())))
              .toList();
      return new BackfillAnswer(
          batch == null,
          request.workflowId(),
          period.name(),
          from.toString(),
          to.toString(),
          windows.size(),
          (int) shown.stream().filter(BackfillAnswer.Window::registered).count(),
          shown,
          batch);
    }
  }
}
