package io.executionpoller.bulk;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.executionpoller.api.ApiProblem;
import io.executionpoller.api.ExecutionFilter;
import io.executionpoller.api.ExecutionQueries;
import io.executionpoller.api.QueryParams;
import io.executionpoller.dashboard.ListQuery;
import io.executionpoller.db.Sessions;
import io.executionpoller.execution.ExecutionStatus;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

/**
 * Bulk actions as the API offers them: a preview that changes nothing, and a confirmation that
 * fixes the executions the action applies to as a queued job, for {@link BulkWorker} to work at the
 * configured rate. The confirmation must name the count the selection has at that moment, so a
 * selection that changed since its preview is refused rather than acted on unseen.
 */
@ApplicationScoped
public class BulkJobs {

  private static final Logger LOG = Logger.getLogger(BulkJobs.class);

  /** Executions shown in a preview. */
  static final int SAMPLE = 10;

  /** Skipped or failed items shown with a job. */
  static final int NOT_DONE_SHOWN = 50;

  static final int LISTED_JOBS = 50;

  /** What a selection resolved to: the filter, the ids given (or null) and how it was written. */
  private record Selection(ExecutionFilter filter, Set<UUID> ids, String written) {}

  private final BulkStore store;
  private final ExecutionQueries queries;
  private final BulkConfig config;
  private final Clock clock;
  private final ObjectMapper json;

  BulkJobs(
      BulkStore store,
      ExecutionQueries queries,
      BulkConfig config,
      Clock clock,
      ObjectMapper json) {
    this.store = store;
    this.queries = queries;
    this.config = config;
    this.clock = clock;
    this.json = json;
  }

  /** How many executions the action would touch, and the first of them; nothing changes. */
  public Uni<BulkPreview> preview(BulkAction action, BulkRequest request) {
    Selection selection = selection(request);
    return Sessions.read(session -> actionable(session, action, selection))
        .chain(ids -> matchingByStatus(selection).map(byStatus -> preview(action, byStatus, ids)));
  }

  private BulkPreview preview(BulkAction action, Map<String, Long> byStatus, List<UUID> ids) {
    long matching = byStatus.values().stream().mapToLong(Long::longValue).sum();
    String note =
        ids.isEmpty()
            ? "none of them can be " + done(action)
            : ids.size()
                + " can be "
                + done(action)
                + "; confirm with this count, a reason, and within "
                + config.ratePerSecond()
                + " per second they are worked in the background";
    return new BulkPreview(
        action.path(),
        matching,
        byStatus,
        ids.size(),
        ids.subList(0, Math.min(SAMPLE, ids.size())),
        note);
  }

  private static String done(BulkAction action) {
    return switch (action) {
      case CANCEL -> "cancelled (only PENDING or RUNNING)";
      case RETRY -> "retried (only FAILED, TIMEOUT or CANCELLED not retried yet)";
      case CHECK_NOW -> "checked now (only PENDING or RUNNING)";
    };
  }

  /**
   * Fixes the executions the action applies to as a queued job, if there are as many as the caller
   * confirmed: a 409 otherwise, and nothing is stored.
   */
  public Uni<BulkJobView> start(BulkAction action, BulkRequest request, String operator) {
    Selection selection = selection(request);
    String reason = BulkReason.of(request.reason(), config.maxReasonLength());
    if (request.confirm() == null) {
      throw new ApiProblem(422, "confirm is required: the 'actionable' count the preview answered");
    }
    int confirmed = request.confirm();
    UUID id = UUID.randomUUID();
    Instant now = clock.instant();
    return Sessions.write(
            session ->
                actionable(session, action, selection)
                    .chain(
                        ids -> {
                          if (ids.size() != confirmed) {
                            throw ApiProblem.conflict(
                                "the selection now has "
                                    + ids.size()
                                    + " executions to act on, not the "
                                    + confirmed
                                    + " confirmed; preview again");
                          }
                          if (ids.isEmpty()) {
                            throw new ApiProblem(422, "nothing to " + action.path());
                          }
                          return store.insert(
                              id, action, reason, operator, selection.written(), ids, now);
                        })
                    .chain(() -> store.find(id, NOT_DONE_SHOWN)))
        .invoke(
            job ->
                LOG.infof(
                    "BULK_JOB_CREATED job=%s action=%s executions=%d by=%s",
                    id, action.path(), job.total(), operator));
  }

  public Uni<BulkJobView> find(UUID id) {
    return Panache.withSession(() -> store.find(id, NOT_DONE_SHOWN))
        .onItem()
        .ifNull()
        .failWith(() -> ApiProblem.notFound("bulk job " + id + " does not exist"));
  }

  public Uni<List<BulkJobView>> newest() {
    return Panache.withSession(() -> store.newest(LISTED_JOBS));
  }

  /** Stops a job: items not begun are left alone; one in progress is finished and recorded. */
  public Uni<BulkJobView> cancel(UUID id, String operator) {
    return Panache.withTransaction(() -> store.cancel(id, clock.instant()))
        .chain(
            cancelled ->
                find(id)
                    .invoke(
                        job -> {
                          if (!cancelled) {
                            throw ApiProblem.conflict("bulk job is already " + job.state());
                          }
                          LOG.infof("BULK_JOB_CANCELLED job=%s by=%s", id, operator);
                        }));
  }

  /** The ids the action applies to, newest first; a 422 beyond poller.bulk.max-executions. */
  private Uni<List<UUID>> actionable(
      Mutiny.Session session, BulkAction action, Selection selection) {
    Set<ExecutionStatus> statuses = EnumSet.copyOf(action.actsOn());
    Set<ExecutionStatus> asked = selection.filter().statuses();
    if (asked != null && !asked.isEmpty()) {
      statuses.retainAll(asked);
    }
    if (statuses.isEmpty()) {
      return Uni.createFrom().item(List.of());
    }
    ExecutionFilter filter = withStatuses(selection.filter(), statuses);
    int max = config.maxExecutions();
    return ExecutionQueries.matchingIds(
            session, filter, selection.ids(), action == BulkAction.RETRY, max + 1)
        .map(
            ids -> {
              if (ids.size() > max) {
                throw new ApiProblem(
                    422,
                    "more than "
                        + max
                        + " executions match (poller.bulk.max-executions); narrow the filter");
              }
              return ids;
            });
  }

  /**
   * How many executions the selection matches in each status, whatever the action: the list's own
   * counts for a filter; for ids (at most poller.bulk.max-executions) their rows, one status at a
   * time.
   */
  private Uni<Map<String, Long>> matchingByStatus(Selection selection) {
    Set<ExecutionStatus> asked = selection.filter().statuses();
    if (selection.ids() == null) {
      return queries
          .countByStatus(selection.filter())
          .map(
              counts -> {
                Map<String, Long> byStatus = new LinkedHashMap<>();
                counts.forEach(
                    (status, count) -> {
                      if (asked.isEmpty() || asked.contains(status)) {
                        byStatus.put(status.name(), count);
                      }
                    });
                return byStatus;
              });
    }
    Map<String, Long> byStatus = new LinkedHashMap<>();
    return Sessions.read(
        session -> {
          Uni<Void> counted = Uni.createFrom().voidItem();
          for (ExecutionStatus status : ExecutionStatus.values()) {
            ExecutionFilter one = withStatuses(selection.filter(), EnumSet.of(status));
            counted =
                counted.chain(
                    () ->
                        ExecutionQueries.matchingIds(
                                session, one, selection.ids(), false, config.maxExecutions())
                            .invoke(
                                ids -> {
                                  if (!ids.isEmpty()) {
                                    byStatus.put(status.name(), (long) ids.size());
                                  }
                                })
                            .replaceWithVoid());
          }
          return counted.replaceWith(byStatus);
        });
  }

  private Selection selection(BulkRequest request) {
    if (request == null) {
      throw new ApiProblem(422, "a JSON body with a filter or ids is required");
    }
    boolean hasFilter = request.filter() != null;
    boolean hasIds = request.ids() != null;
    if (hasFilter == hasIds) {
      throw new ApiProblem(422, "give either a filter or ids, not both and not neither");
    }
    if (hasIds) {
      if (request.ids().isEmpty() || request.ids().size() > config.maxExecutions()) {
        throw new ApiProblem(
            422, "ids must list 1 to " + config.maxExecutions() + " execution ids");
      }
      Set<UUID> ids = new LinkedHashSet<>();
      request.ids().forEach(id -> ids.add(QueryParams.uuid("ids[]", id)));
      return new Selection(
          new ExecutionFilter(Set.of(), null, null, null, null, null, null, null),
          ids,
          "ids (" + ids.size() + ")");
    }
    BulkRequest.Filter given = request.filter();
    ListQuery query =
        ListQuery.parse(
            given.status(),
            given.workflow(),
            given.instance(),
            given.advertiser(),
            given.errorType(),
            given.from(),
            given.to(),
            null,
            1);
    return new Selection(query.filter(), null, written(query));
  }

  /** The filter as stored with the job: its checked values, as JSON. */
  private String written(ListQuery query) {
    Map<String, Object> fields = new LinkedHashMap<>();
    if (!query.statuses().isEmpty()) {
      fields.put("status", query.statuses().stream().map(Enum::name).sorted().toList());
    }
    fields.put("workflow", query.workflow());
    fields.put("instance", query.instance());
    fields.put("advertiser", query.advertiser());
    fields.put("errorType", query.errorType());
    fields.put("from", query.from());
    fields.put("to", query.to());
    fields.values().removeIf(value -> value == null);
    try {
      return json.writeValueAsString(fields);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a filter of strings is always JSON", e);
    }
  }

  private static ExecutionFilter withStatuses(
      ExecutionFilter filter, Set<ExecutionStatus> statuses) {
    return new ExecutionFilter(
        statuses,
        filter.workflowId(),
        filter.workflowName(),
        filter.instanceId(),
        filter.advertiserId(),
        filter.errorType(),
        filter.createdAfter(),
        filter.createdBefore());
  }
}
