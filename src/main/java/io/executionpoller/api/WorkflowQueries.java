package io.executionpoller.api;

import io.executionpoller.db.Sessions;
import io.executionpoller.execution.AmcAccount;
import io.executionpoller.execution.AmcInstance;
import io.executionpoller.execution.Workflow;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hibernate.reactive.mutiny.Mutiny;

/** Registered workflows, newest first, for GET /workflows: entity queries, mapped by the view. */
@ApplicationScoped
public class WorkflowQueries {

  private static final String WITH_ACCOUNT =
      """
      select w, i, a from Workflow w
        join AmcInstance i on i.id = w.instanceRef
        join AmcAccount a on a.id = i.accountId
      """;

  public Uni<Page<WorkflowView>> list(String instanceId, PageCursor cursor, int limit) {
    List<String> conditions = new ArrayList<>();
    Map<String, Object> params = new HashMap<>();
    if (instanceId != null) {
      conditions.add("i.instanceId = :instance");
      params.put("instance", instanceId);
    }
    if (cursor != null) {
      conditions.add("(w.createdAt, w.id) < (:cursorAt, :cursorId)");
      params.put("cursorAt", cursor.createdAt());
      params.put("cursorId", cursor.id());
    }
    String hql =
        WITH_ACCOUNT
            + (conditions.isEmpty() ? "" : " where " + String.join(" and ", conditions))
            + " order by w.createdAt desc, w.id desc";
    return Sessions.read(
            session -> {
              Mutiny.SelectionQuery<Object[]> query =
                  session.createSelectionQuery(hql, Object[].class);
              params.forEach(query::setParameter);
              // One more than asked tells whether there is a next page.
              return query.setMaxResults(limit + 1).setReadOnly(true).getResultList();
            })
        .map(rows -> rows.stream().map(WorkflowQueries::view).toList())
        .map(
            items ->
                Page.of(
                    items, limit, last -> new PageCursor(last.createdAt(), last.id()).encode()));
  }

  /** The workflow; null when it does not exist. */
  public Uni<WorkflowView> find(UUID id) {
    return Sessions.read(
            session ->
                session
                    .createSelectionQuery(WITH_ACCOUNT + " where w.id = :id", Object[].class)
                    .setParameter("id", id)
                    .setReadOnly(true)
                    .getSingleResultOrNull())
        .onItem()
        .ifNotNull()
        .transform(WorkflowQueries::view);
  }

  private static WorkflowView view(Object[] row) {
    return WorkflowView.of((Workflow) row[0], (AmcInstance) row[1], (AmcAccount) row[2]);
  }
}
