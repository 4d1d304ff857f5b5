package io.executionpoller.api;

import io.executionpoller.db.Sessions;
import io.executionpoller.execution.ExecutionEvent;
import io.executionpoller.execution.ExecutionStatus;
import io.executionpoller.execution.WorkflowExecution;
import io.executionpoller.results.ResultQueries;
import io.executionpoller.results.ResultSummary;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * The read side of the API and the dashboard: executions newest first with filters and a cursor,
 * one execution in full, and its audit trail. Entity queries on a Hibernate Reactive session; every
 * view is mapped from the {@link WorkflowExecution} and {@link ExecutionEvent} entities, and every
 * list is bounded.
 */
@ApplicationScoped
public class ExecutionQueries {

  /** Each execution with the names a reader needs; the instance is the row's own. */
  private static final String WITH_NAMES = "select e, w.name, i.instanceId";

  private static final String JOINED =
      """
       from WorkflowExecution e
        join Workflow w on w.id = e.workflowId
        join AmcInstance i on i.id = e.instanceRef
      """;

  /** The same, with the execution that retried it (a unique index keeps it to one). */
  private static final String DETAIL =
      WITH_NAMES
          + ", (select n.id from WorkflowExecution n where n.retryOf = e.id)"
          + JOINED
          + " where e.id = :id";

  /** The result step's status of a page of executions, in one statement. */
  private static final String RESULT_STATUSES =
      "SELECT execution_id, status FROM execution_results WHERE execution_id IN (:ids)";

  private final ResultQueries results;

  ExecutionQueries(ResultQueries results) {
    this.results = results;
  }

  /** Up to {@code limit} executions matching {@code filter}, newest first, after {@code cursor}. */
  public Uni<Page<ExecutionSummary>> list(ExecutionFilter filter, PageCursor cursor, int limit) {
    return Sessions.read(s -> page(s, filter, cursor, limit))
        .map(
            items ->
                Page.of(
                    items, limit, last -> new PageCursor(last.createdAt(), last.id()).encode()));
  }

  private static Uni<List<ExecutionSummary>> page(
      Mutiny.Session session, ExecutionFilter filter, PageCursor cursor, int limit) {
    List<String> conditions = new ArrayList<>();
    Map<String, Object> params = new HashMap<>();
    where(filter, conditions, params);
    if (cursor != null) {
      conditions.add("(e.createdAt, e.id) < (:cursorAt, :cursorId)");
      params.put("cursorAt", cursor.createdAt());
      params.put("cursorId", cursor.id());
    }
    String hql =
        WITH_NAMES
            + JOINED
            + (conditions.isEmpty() ? "" : " where " + String.join(" and ", conditions))
            + " order by e.createdAt desc, e.id desc";
    Mutiny.SelectionQuery<Object[]> query = session.createSelectionQuery(hql, Object[].class);
    params.forEach(query::setParameter);
    // One more than asked tells whether there is a next page without a count.
    return query
        .setMaxResults(limit + 1)
        .setReadOnly(true)
        .getResultList()
        .chain(rows -> withResultStatuses(session, rows));
  }

  /** The conditions and parameters of {@code filter}, on the aliases of {@link #JOINED}. */
  private static void where(
      ExecutionFilter filter, List<String> conditions, Map<String, Object> params) {
    if (filter.statuses() != null && !filter.statuses().isEmpty()) {
      conditions.add("e.status in :statuses");
      params.put("statuses", filter.statuses());
    }
    if (filter.workflowId() != null) {
      conditions.add("e.workflowId = :workflow");
      params.put("workflow", filter.workflowId());
    }
    if (filter.workflowName() != null) {
      conditions.add("(lower(w.name) = lower(:workflowName) or w.amcWorkflowId = :workflowName)");
      params.put("workflowName", filter.workflowName());
    }
    if (filter.instanceId() != null) {
      conditions.add("i.instanceId = :instance");
      params.put("instance", filter.instanceId());
    }
    if (filter.advertiserId() != null) {
      conditions.add(
          "i.accountId in (select a.id from AmcAccount a where a.advertiserId = :advertiser)");
      params.put("advertiser", filter.advertiserId());
    }
    if (filter.errorType() != null) {
      conditions.add("e.errorType = :errorType");
      params.put("errorType", filter.errorType());
    }
    if (filter.createdAfter() != null) {
      conditions.add("e.createdAt > :after");
      params.put("after", filter.createdAfter());
    }
    if (filter.createdBefore() != null) {
      conditions.add("e.createdAt < :before");
      params.put("before", filter.createdBefore());
    }
  }

  /**
   * The ids of up to {@code limit} executions matching {@code filter}, newest first, on the
   * caller's session (a bulk action fixes its executions in its own transaction): only those among
   * {@code only} when it is not null, and only those no retry ran again yet with {@code
   * notRetried}.
   */
  public static Uni<List<UUID>> matchingIds(
      Mutiny.Session session,
      ExecutionFilter filter,
      Collection<UUID> only,
      boolean notRetried,
      int limit) {
    List<String> conditions = new ArrayList<>();
    Map<String, Object> params = new HashMap<>();
    where(filter, conditions, params);
    if (only != null) {
      conditions.add("e.id in :only");
      params.put("only", only);
    }
    if (notRetried) {
      conditions.add("not exists (select 1 from WorkflowExecution n where n.retryOf = e.id)");
    }
    String hql =
        "select e.id"
            + JOINED
            + (conditions.isEmpty() ? "" : " where " + String.join(" and ", conditions))
            + " order by e.createdAt desc, e.id desc";
    Mutiny.SelectionQuery<UUID> query = session.createSelectionQuery(hql, UUID.class);
    params.forEach(query::setParameter);
    return query.setMaxResults(limit).getResultList();
  }

  /**
   * How many executions match {@code filter} in each status, whatever statuses it names (the counts
   * beside the status filter); a status without any is missing from the map.
   */
  public Uni<Map<ExecutionStatus, Long>> countByStatus(ExecutionFilter filter) {
    List<String> conditions = new ArrayList<>();
    Map<String, Object> params = new HashMap<>();
    where(filter.anyStatus(), conditions, params);
    String hql =
        "select e.status, count(e)"
            + JOINED
            + (conditions.isEmpty() ? "" : " where " + String.join(" and ", conditions))
            + " group by e.status";
    return Sessions.read(
            session -> {
              Mutiny.SelectionQuery<Object[]> query =
                  session.createSelectionQuery(hql, Object[].class);
              params.forEach(query::setParameter);
              return query.getResultList();
            })
        .map(
            rows -> {
              Map<ExecutionStatus, Long> counts = new EnumMap<>(ExecutionStatus.class);
              rows.forEach(
                  row -> counts.put((ExecutionStatus) row[0], ((Number) row[1]).longValue()));
              return counts;
            });
  }

  private static Uni<List<ExecutionSummary>> withResultStatuses(
      Mutiny.Session session, List<Object[]> rows) {
    if (rows.isEmpty()) {
      return Uni.createFrom().item(List.of());
    }
    List<UUID> ids = rows.stream().map(row -> ((WorkflowExecution) row[0]).id).toList();
    return session
        .createNativeQuery(RESULT_STATUSES, Object[].class)
        .setParameter("ids", ids)
        .getResultList()
        .map(
            statuses -> {
              Map<Object, String> byExecution = new HashMap<>();
              statuses.forEach(status -> byExecution.put(status[0], (String) status[1]));
              return rows.stream()
                  .map(
                      row -> {
                        WorkflowExecution execution = (WorkflowExecution) row[0];
                        return ExecutionSummary.of(
                            execution,
                            (String) row[1],
                            (String) row[2],
                            byExecution.get(execution.id));
                      })
                  .toList();
            });
  }

  /**
   * Everything about one execution, with its result step; null when it does not exist. The result
   * step is read by {@code results}, which keeps its own (JDBC) reads, off the event loop.
   */
  public Uni<ExecutionView> detail(UUID id) {
    return Sessions.read(
            session ->
                session
                    .createSelectionQuery(DETAIL, Object[].class)
                    .setParameter("id", id)
                    .setReadOnly(true)
                    .getSingleResultOrNull())
        .onItem()
        .ifNotNull()
        .transformToUni(
            row ->
                resultStep(id)
                    .map(
                        result ->
                            ExecutionView.of(
                                (WorkflowExecution) row[0],
                                (String) row[1],
                                (String) row[2],
                                (UUID) row[3],
                                result)));
  }

  private Uni<ResultSummary> resultStep(UUID id) {
    return VertxContextSupport.executeBlocking(
        () -> results.summary(id).filter(r -> r.status() != null).orElse(null));
  }

  /** Events with a sequence above {@code after}, oldest first; null when no such execution. */
  public Uni<Page<EventView>> events(UUID id, long after, int limit) {
    return Panache.withSession(
        () ->
            ExecutionEvent.<ExecutionEvent>find(
                    "executionId = ?1 and id > ?2 order by id", id, after)
                .range(0, limit)
                .list()
                .chain(
                    events ->
                        // Every execution has its REGISTERED event, so only an empty page can
                        // mean "no such id".
                        events.isEmpty()
                            ? WorkflowExecution.count("id", id)
                                .map(found -> found == 0 ? null : List.<ExecutionEvent>of())
                            : Uni.createFrom().item(events))
                .map(
                    events ->
                        events == null
                            ? null
                            : Page.of(
                                events.stream().map(EventView::of).toList(),
                                limit,
                                last -> Long.toString(last.sequence()))));
  }

  /**
   * The newest {@code limit} events of an execution, newest first (the dashboard shows what
   * happened last); an empty list when there are none or no such execution.
   */
  public Uni<List<EventView>> latestEvents(UUID id, int limit) {
    return Panache.withSession(
        () ->
            ExecutionEvent.<ExecutionEvent>find("executionId = ?1 order by id desc", id)
                .range(0, limit - 1)
                .list()
                .map(events -> events.stream().map(EventView::of).toList()));
  }
}
