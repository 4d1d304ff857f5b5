package io.executionpoller.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.executionpoller.db.Sessions;
import io.executionpoller.execution.EventRows;
import io.executionpoller.execution.EventType;
import io.executionpoller.execution.ExecutionStatus;
import io.executionpoller.execution.WorkflowExecution;
import io.executionpoller.logging.ExecutionIds;
import io.executionpoller.logging.ExecutionLog;
import io.executionpoller.notify.ExecutionCallbacks;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hibernate.exception.ConstraintViolationException;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * Up to {@link BatchRegistration#MAX_ITEMS} registrations in one transaction, all or nothing: every
 * item is checked as the single POST /api/v1/executions checks it, and one refused item (bad field,
 * unknown workflow, key reused with another body, remote run already tracked) stores nothing, so a
 * client fixes that item and sends the same batch again; its keys make the repeat safe. Each step
 * is one statement for the whole batch (arrays bound as parameters), which is what makes a thousand
 * registrations cost a few round trips instead of a few thousand.
 */
@ApplicationScoped
public class BatchRegistrations {

  private static final ExecutionLog LOG = ExecutionLog.of(BatchRegistrations.class);

  /** The batch's workflows that exist, with their instance (for the lifecycle lines). */
  private static final String WORKFLOWS =
      """
      SELECT w.id, i.instance_id FROM workflows w JOIN amc_instances i ON i.id = w.amc_instance_id
       WHERE w.id = ANY(:ids)
      """;

  /**
   * Takes the batch's keys as the single registration takes one, in key order, so two batches
   * sharing keys wait on each other instead of deadlocking; returns the keys taken (first uses and
   * expired keys taken over).
   */
  private static final String CLAIM_KEYS =
      IdempotencyKey.TAKE.formatted(
              """
              SELECT r.key, r.digest, r.execution, :now, :expires
                FROM unnest(CAST(:keys AS text[]), CAST(:digests AS text[]),
                            CAST(:executions AS uuid[])) AS r(key, digest, execution)
               ORDER BY r.key""")
          + "RETURNING k.idempotency_key";

  private static final String EARLIER_USES =
      """
      SELECT idempotency_key, request_digest, execution_id FROM execution_idempotency_keys
       WHERE idempotency_key = ANY(CAST(:keys AS text[]))
      """;

  /** Remote runs of the batch already tracked on their workflow's instance. */
  private static final String TRACKED =
      """
      SELECT r.position, e.id
        FROM unnest(CAST(:workflows AS uuid[]), CAST(:remotes AS text[]))
             WITH ORDINALITY AS r(workflow_id, remote, position)
        JOIN workflows w ON w.id = r.workflow_id
        JOIN workflow_executions e
          ON e.amc_instance_id = w.amc_instance_id AND e.amc_execution_id = r.remote
      """;

  /** The new executions; the instance column is filled in by its trigger (migration V3). */
  private static final String INSERT_EXECUTIONS =
      """
      INSERT INTO workflow_executions
             (id, workflow_id, amc_execution_id, status, created_at, updated_at, next_poll_at,
              parameters, time_window)
      SELECT r.id, r.workflow_id, r.remote, :pending, :now, :now, :now, CAST(r.parameters AS jsonb),
             CAST(r.time_window AS jsonb)
        FROM unnest(CAST(:ids AS uuid[]), CAST(:workflows AS uuid[]), CAST(:remotes AS text[]),
                    CAST(:parameters AS text[]), CAST(:windows AS text[]))
             AS r(id, workflow_id, remote, parameters, time_window)
      """;

  private final Clock clock;
  private final ApiConfig config;
  private final ObjectMapper json;
  private final ExecutionCallbacks callbacks;

  BatchRegistrations(
      Clock clock, ApiConfig config, ObjectMapper json, ExecutionCallbacks callbacks) {
    this.clock = clock;
    this.config = config;
    this.json = json;
    this.callbacks = callbacks;
  }

  /** The batch's answer: every item stored, or none and each item's own answer. */
  public Uni<BatchAnswer> register(BatchRegistration request) {
    return register(request, null);
  }

  /**
   * The same, with {@code note} (who sent it and why, e.g. a backfill's reason) added to each new
   * execution's REGISTERED event.
   */
  Uni<BatchAnswer> register(BatchRegistration request, String note) {
    List<BatchItem> items = shape(request);
    List<Checked> checked = check(items);
    if (checked.stream().anyMatch(Checked::refused)) {
      return Uni.createFrom().item(refusedAnswer(checked));
    }
    Instant now = clock.instant();
    return Sessions.write(s -> store(s, checked, now, note))
        .onFailure(BatchRefused.class)
        .recoverWithItem(failure -> refusedAnswer(((BatchRefused) failure).checked))
        .onFailure(BatchRegistrations::isTrackedElsewhere)
        .transform(
            failure ->
                ApiProblem.conflict(
                    "a remote execution of this batch was tracked meanwhile, or two items name"
                        + " one remote execution of an instance; nothing was stored"));
  }

  private static List<BatchItem> shape(BatchRegistration request) {
    if (request == null
        || request.registrations() == null
        || request.registrations().isEmpty()
        || request.registrations().size() > BatchRegistration.MAX_ITEMS) {
      throw ApiProblem.badRequest(
          "registrations must hold 1 to " + BatchRegistration.MAX_ITEMS + " items");
    }
    if (request.registrations().contains(null)) {
      throw ApiProblem.badRequest("registrations must not hold null");
    }
    return request.registrations();
  }

  /** Each item as the single registration checks it, plus repeats inside the batch. */
  private List<Checked> check(List<BatchItem> items) {
    List<Checked> checked = new ArrayList<>(items.size());
    Map<String, Integer> keys = new HashMap<>();
    Map<String, Integer> remotes = new HashMap<>();
    for (int index = 0; index < items.size(); index++) {
      BatchItem item = items.get(index);
      Checked entry = new Checked(index, item);
      checked.add(entry);
      try {
        ExecutionRegistration registration = item.registration();
        ExecutionResource.validate(registration);
        ExecutionResource.validateCallback(callbacks, registration);
        if (item.idempotencyKey() == null) {
          throw ApiProblem.badRequest("idempotencyKey is required in a batch");
        }
        entry.key = IdempotencyKey.of(item.idempotencyKey(), registration);
        Integer sameKey = keys.putIfAbsent(entry.key.value(), index);
        if (sameKey != null) {
          throw ApiProblem.badRequest("idempotencyKey repeats the key of item " + sameKey);
        }
        if (item.amcExecutionId() != null) {
          Integer sameRun =
              remotes.putIfAbsent(item.workflowId() + "/" + item.amcExecutionId(), index);
          if (sameRun != null) {
            throw ApiProblem.conflict(
                "remote execution "
                    + item.amcExecutionId()
                    + " is also registered by item "
                    + sameRun);
          }
        }
      } catch (ApiProblem problem) {
        entry.refuse(problem);
      }
    }
    return checked;
  }

  private Uni<BatchAnswer> store(
      Mutiny.Session session, List<Checked> checked, Instant now, String note) {
    return workflows(session, checked)
        .chain(instances -> claimKeys(session, checked, now).replaceWith(instances))
        .call(() -> trackedAlready(session, checked))
        .invoke(
            () -> {
              if (checked.stream().anyMatch(Checked::refused)) {
                // Thrown inside the transaction, so the keys it took are rolled back.
                throw new BatchRefused(checked);
              }
            })
        .chain(instances -> insert(session, checked, now, note).replaceWith(instances))
        .call(() -> subscribeCallbacks(checked, now))
        .map(instances -> storedAnswer(checked, instances));
  }

  /** 404 for each item whose workflow does not exist; the instance of each that does. */
  private static Uni<Map<UUID, String>> workflows(Mutiny.Session session, List<Checked> checked) {
    UUID[] ids = checked.stream().map(c -> c.item.workflowId()).distinct().toArray(UUID[]::new);
    return session
        .createNativeQuery(WORKFLOWS, Object[].class)
        .setParameter("ids", ids)
        .getResultList()
        .map(
            rows -> {
              Map<UUID, String> instances = new HashMap<>();
              rows.forEach(row -> instances.put((UUID) row[0], (String) row[1]));
              for (Checked entry : checked) {
                if (!instances.containsKey(entry.item.workflowId())) {
                  entry.refuse(
                      ApiProblem.notFound(
                          "workflow " + entry.item.workflowId() + " does not exist"));
                }
              }
              return instances;
            });
  }

  /** Takes every key; an item whose key was used before is a replay, or 422 with another body. */
  private Uni<Void> claimKeys(Mutiny.Session session, List<Checked> checked, Instant now) {
    for (Checked entry : checked) {
      entry.executionId = UUID.randomUUID();
    }
    return session
        .createNativeQuery(CLAIM_KEYS, String.class)
        .setParameter("keys", checked.stream().map(c -> c.key.value()).toArray(String[]::new))
        .setParameter(
            "digests", checked.stream().map(c -> c.key.requestDigest()).toArray(String[]::new))
        .setParameter("executions", checked.stream().map(c -> c.executionId).toArray(UUID[]::new))
        .setParameter("now", now)
        .setParameter("expires", now.plus(config.idempotencyKeyLifetime()))
        .getResultList()
        .chain(
            taken -> {
              if (taken.size() == checked.size()) {
                return Uni.createFrom().voidItem();
              }
              List<String> used =
                  checked.stream()
                      .map(c -> c.key.value())
                      .filter(key -> !taken.contains(key))
                      .toList();
              return earlierUses(session, checked, used);
            });
  }

  private static Uni<Void> earlierUses(
      Mutiny.Session session, List<Checked> checked, List<String> used) {
    return session
        .createNativeQuery(EARLIER_USES, Object[].class)
        .setParameter("keys", used.toArray(String[]::new))
        .getResultList()
        .map(
            rows -> {
              Map<String, Object[]> byKey = new HashMap<>();
              rows.forEach(row -> byKey.put((String) row[0], row));
              for (Checked entry : checked) {
                if (!used.contains(entry.key.value())) {
                  continue;
                }
                Object[] row = byKey.get(entry.key.value());
                if (row == null) {
                  entry.refuse(
                      ApiProblem.conflict(
                          "idempotencyKey expired meanwhile; send the batch again"));
                } else if (!entry.key.requestDigest().equals(row[1])) {
                  entry.refuse(
                      new ApiProblem(
                          422, "idempotencyKey was already used with a different registration"));
                } else {
                  entry.replayOf((UUID) row[2]);
                }
              }
              return null;
            });
  }

  /** 409 for each new item whose remote execution its instance already tracks. */
  private static Uni<Void> trackedAlready(Mutiny.Session session, List<Checked> checked) {
    List<Checked> tracking =
        checked.stream().filter(c -> c.isNew() && c.item.amcExecutionId() != null).toList();
    if (tracking.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    return session
        .createNativeQuery(TRACKED, Object[].class)
        .setParameter(
            "workflows", tracking.stream().map(c -> c.item.workflowId()).toArray(UUID[]::new))
        .setParameter(
            "remotes", tracking.stream().map(c -> c.item.amcExecutionId()).toArray(String[]::new))
        .getResultList()
        .invoke(
            rows ->
                rows.forEach(
                    row -> {
                      Checked entry = tracking.get(((Number) row[0]).intValue() - 1);
                      entry.refuse(
                          ApiProblem.conflict(
                              "remote execution "
                                  + entry.item.amcExecutionId()
                                  + " is already tracked by execution "
                                  + row[1]));
                    }))
        .replaceWithVoid();
  }

  /** The new executions and their REGISTERED events, a few statements for the whole batch. */
  private Uni<Void> insert(
      Mutiny.Session session, List<Checked> checked, Instant now, String note) {
    List<Checked> fresh = checked.stream().filter(Checked::isNew).toList();
    if (fresh.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    return session
        .createNativeQuery(INSERT_EXECUTIONS)
        .setParameter("ids", fresh.stream().map(c -> c.executionId).toArray(UUID[]::new))
        .setParameter(
            "workflows", fresh.stream().map(c -> c.item.workflowId()).toArray(UUID[]::new))
        .setParameter(
            "remotes", fresh.stream().map(c -> c.item.amcExecutionId()).toArray(String[]::new))
        .setParameter(
            "parameters",
            fresh.stream()
                .map(
                    c ->
                        jsonOf(
                            c.item.parameterValues() == null ? Map.of() : c.item.parameterValues()))
                .toArray(String[]::new))
        .setParameter(
            "windows",
            fresh.stream()
                .map(c -> c.item.timeWindow() == null ? null : jsonOf(c.item.timeWindow()))
                .toArray(String[]::new))
        .setParameter("pending", ExecutionStatus.PENDING.name())
        .setParameter("now", now)
        .executeUpdate()
        .chain(() -> registeredEvents(session, fresh, now, false, noted("to be submitted", note)))
        .chain(
            () ->
                registeredEvents(
                    session,
                    fresh,
                    now,
                    true,
                    noted("tracking an existing remote execution", note)));
  }

  private static String noted(String message, String note) {
    return note == null ? message : message + "; " + note;
  }

  /**
   * The callbacks of the new items, in the batch's transaction, one after the other on its session
   * (a session runs one statement at a time); each secret goes into its item's answer.
   */
  private Uni<Void> subscribeCallbacks(List<Checked> checked, Instant now) {
    Uni<Void> chain = Uni.createFrom().voidItem();
    for (Checked entry : checked) {
      if (entry.isNew() && entry.item.callbackUrl() != null) {
        chain =
            chain.chain(
                () ->
                    callbacks
                        .register(entry.executionId, entry.item.callbackUrl(), now)
                        .invoke(secret -> entry.callbackSecret = secret)
                        .replaceWithVoid());
      }
    }
    return chain;
  }

  /** The REGISTERED events of the new executions that do (or do not) track a remote run. */
  private static Uni<Void> registeredEvents(
      Mutiny.Session session, List<Checked> fresh, Instant now, boolean tracking, String message) {
    UUID[] ids =
        fresh.stream()
            .filter(c -> (c.item.amcExecutionId() != null) == tracking)
            .map(c -> c.executionId)
            .toArray(UUID[]::new);
    return EventRows.insertEach(
        session, ids, now, EventType.REGISTERED, null, ExecutionStatus.PENDING, message, null);
  }

  private String jsonOf(Object value) {
    try {
      return json.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a checked registration always serializes", e);
    }
  }

  /** The committed batch's answer, with a lifecycle line for each new execution. */
  private static BatchAnswer storedAnswer(List<Checked> checked, Map<UUID, String> instances) {
    List<BatchAnswer.Item> items = new ArrayList<>(checked.size());
    for (Checked entry : checked) {
      if (entry.isNew()) {
        LOG.info(
            new ExecutionIds(
                entry.executionId,
                entry.item.amcExecutionId(),
                entry.item.workflowId(),
                instances.get(entry.item.workflowId())),
            "EXEC_REGISTERED",
            "in a batch");
      }
      items.add(entry.answer());
    }
    return BatchAnswer.stored(items);
  }

  private static BatchAnswer refusedAnswer(List<Checked> checked) {
    int firstRefused =
        checked.stream().filter(Checked::refused).findFirst().map(c -> c.index).orElse(-1);
    return BatchAnswer.refused(checked.stream().map(c -> c.refusedAnswer(firstRefused)).toList());
  }

  private static boolean isTrackedElsewhere(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof ConstraintViolationException violation
          && WorkflowExecution.ONE_ROW_PER_REMOTE_RUN.equals(violation.getConstraintName())) {
        return true;
      }
    }
    return false;
  }

  /** One item on its way through the checks: refused, a replay, or new. */
  private static final class Checked {
    private final int index;
    private final BatchItem item;
    private IdempotencyKey key;
    private UUID executionId;
    private boolean replay;
    private ApiProblem refusal;
    private String callbackSecret;

    private Checked(int index, BatchItem item) {
      this.index = index;
      this.item = item;
    }

    boolean refused() {
      return refusal != null;
    }

    boolean isNew() {
      return refusal == null && !replay;
    }

    void refuse(ApiProblem problem) {
      if (refusal == null) {
        refusal = problem;
      }
    }

    void replayOf(UUID earlier) {
      replay = true;
      executionId = earlier;
    }

    BatchAnswer.Item answer() {
      return new BatchAnswer.Item(
          index,
          key.value(),
          replay ? BatchAnswer.Item.REPLAYED : BatchAnswer.Item.CREATED,
          executionId,
          replay ? "an earlier use of this key registered it" : "registered",
          callbackSecret);
    }

    BatchAnswer.Item refusedAnswer(int firstRefused) {
      String keyValue = key == null ? item.idempotencyKey() : key.value();
      if (refusal != null) {
        return new BatchAnswer.Item(
            index, keyValue, refusal.status(), null, refusal.getMessage(), null);
      }
      return new BatchAnswer.Item(
          index,
          keyValue,
          BatchAnswer.Item.NOT_STORED,
          null,
          "not stored: item " + firstRefused + " was refused",
          null);
    }
  }

  /** Ends the transaction (rolling back the keys it took) with the items' answers. */
  private static final class BatchRefused extends RuntimeException {
    private final transient List<Checked> checked;

    private BatchRefused(List<Checked> checked) {
      super("a batch registration refused at least one item", null, false, false);
      this.checked = checked;
    }
  }
}
