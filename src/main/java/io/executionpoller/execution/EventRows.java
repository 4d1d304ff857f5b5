package io.executionpoller.execution;

import io.executionpoller.db.StoredText;
import io.smallrye.mutiny.Uni;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.UUID;
import java.util.function.BiConsumer;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * Every INSERT into execution_events, in the three forms its writers need: on a Hibernate Reactive
 * session (registration and operator actions), over JDBC inside the results' COPY transactions and
 * housekeeping's, and as the reactive client's batch statement of the poll loop. The audit row has
 * one shape, so it is written here once; {@link ExecutionEvent} maps it for reading.
 *
 * <p>A single event takes its attempt and remote id from the execution's row as it stands in the
 * writer's transaction, so callers cannot get them wrong.
 */
public final class EventRows {

  /**
   * The head of an INSERT ... SELECT that takes the execution id, attempt (retry_count) and remote
   * id from the selected execution rows; {@link #insertSelectedFrom} adds the FROM. Its named
   * parameters are bound by {@link #bindSelected} (PostgreSQL takes their types from the target
   * columns).
   */
  private static final String INSERT_SELECTED =
      """
      INSERT INTO execution_events
             (execution_id, occurred_at, type, attempt, from_status, to_status, amc_execution_id,
              message, replica)
      SELECT id, :eventAt, :eventType, retry_count, :eventFrom, :eventTo, amc_execution_id,
             :eventMessage, :eventReplica
      """;

  /** One event of the execution {@code :eventExecution}, named parameters (Hibernate Reactive). */
  private static final String INSERT_ONE =
      insertSelectedFrom("workflow_executions WHERE id = :eventExecution");

  /** One event for each execution of the array {@code :eventExecutions}, in one statement. */
  private static final String INSERT_EACH =
      insertSelectedFrom("workflow_executions WHERE id = ANY(:eventExecutions)");

  /**
   * The same statement with JDBC's positional parameters, in order: occurred_at, type, from_status,
   * to_status, message, replica, execution id.
   */
  private static final String INSERT_ONE_POSITIONAL = INSERT_ONE.replaceAll(":event[A-Za-z]+", "?");

  /**
   * The poll loop's events of one execution in one statement (reactive client, {@code $n}): $1
   * execution id, $2 time, $3 attempt, $4 remote id, $5 replica, then one text array per column
   * (type, from_status, to_status, remote_status, message), kept in their order.
   */
  public static final String INSERT_BATCH =
      """
      INSERT INTO execution_events
             (execution_id, occurred_at, type, attempt, from_status, to_status, remote_status,
              amc_execution_id, message, replica)
      SELECT $1, $2, t.type, $3, t.from_status, t.to_status, t.remote_status, $4, t.message, $5
        FROM unnest($6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
             WITH ORDINALITY AS t(type, from_status, to_status, remote_status, message, position)
       ORDER BY t.position
      """;

  /**
   * The poll loop's events of many executions in one statement, written as a data-modifying CTE
   * beside the batched update that decides which rows were still the writer's: only executions
   * listed by {@code applied} (a CTE with an {@code id} column) get theirs. {@code at} and {@code
   * replica} name the parameters of the time and the replica; from {@code $first} come one array
   * per column, one element per event, in event order: execution id, attempt, remote id, type,
   * from_status, to_status, remote_status, message.
   */
  public static String insertBatchFor(String applied, String at, String replica, int first) {
    return """
        INSERT INTO execution_events
               (execution_id, occurred_at, type, attempt, from_status, to_status, remote_status,
                amc_execution_id, message, replica)
        SELECT t.execution_id, %2$s, t.type, t.attempt, t.from_status, t.to_status,
               t.remote_status, t.amc_execution_id, t.message, %3$s
          FROM unnest($%4$d::uuid[], $%5$d::int[], $%6$d::text[], $%7$d::text[], $%8$d::text[],
                      $%9$d::text[], $%10$d::text[], $%11$d::text[])
               WITH ORDINALITY AS t(execution_id, attempt, amc_execution_id, type, from_status,
                                    to_status, remote_status, message, position)
          JOIN %1$s ON %1$s.id = t.execution_id
         ORDER BY t.position
        """
        .formatted(
            applied, at, replica, first, first + 1, first + 2, first + 3, first + 4, first + 5,
            first + 6, first + 7);
  }

  private EventRows() {}

  /**
   * An INSERT of one event per execution row selected by {@code rows} (the text after FROM, such as
   * a CTE's name): the timeout sweep records its events in the statement that times them out.
   */
  public static String insertSelectedFrom(String rows) {
    return INSERT_SELECTED + "  FROM " + rows;
  }

  /** Binds the event's values of an {@link #insertSelectedFrom} statement. */
  public static <R> Mutiny.SelectionQuery<R> bindSelected(
      Mutiny.SelectionQuery<R> query,
      Instant at,
      EventType type,
      ExecutionStatus from,
      ExecutionStatus to,
      String message,
      String replica) {
    bind(query::setParameter, at, type, from, to, message, replica);
    return query;
  }

  /** The one binding of an event's values, whatever kind of query carries them. */
  private static void bind(
      BiConsumer<String, Object> parameter,
      Instant at,
      EventType type,
      ExecutionStatus from,
      ExecutionStatus to,
      String message,
      String replica) {
    parameter.accept("eventAt", at);
    parameter.accept("eventType", type.name());
    parameter.accept("eventFrom", from == null ? null : from.name());
    parameter.accept("eventTo", to == null ? null : to.name());
    parameter.accept("eventMessage", StoredText.of(message));
    parameter.accept("eventReplica", replica);
  }

  /** An event without a status change, on the session's transaction. */
  public static Uni<Void> insert(
      Mutiny.Session session,
      UUID executionId,
      Instant at,
      EventType type,
      String message,
      String replica) {
    return insert(session, executionId, at, type, null, null, message, replica);
  }

  /** One event, on the session's transaction (Hibernate Reactive). */
  public static Uni<Void> insert(
      Mutiny.Session session,
      UUID executionId,
      Instant at,
      EventType type,
      ExecutionStatus from,
      ExecutionStatus to,
      String message,
      String replica) {
    Mutiny.MutationQuery insert = session.createNativeQuery(INSERT_ONE);
    bind(insert::setParameter, at, type, from, to, message, replica);
    insert.setParameter("eventExecution", executionId);
    return insert.executeUpdate().replaceWithVoid();
  }

  /**
   * The same event for each of {@code executionIds} in one statement, on the session's transaction:
   * a batch registration records its executions' first events together.
   */
  public static Uni<Void> insertEach(
      Mutiny.Session session,
      UUID[] executionIds,
      Instant at,
      EventType type,
      ExecutionStatus from,
      ExecutionStatus to,
      String message,
      String replica) {
    if (executionIds.length == 0) {
      return Uni.createFrom().voidItem();
    }
    Mutiny.MutationQuery insert = session.createNativeQuery(INSERT_EACH);
    bind(insert::setParameter, at, type, from, to, message, replica);
    insert.setParameter("eventExecutions", executionIds);
    return insert.executeUpdate().replaceWithVoid();
  }

  /** An event without a status change, in the connection's transaction (JDBC). */
  public static void insert(
      Connection connection,
      UUID executionId,
      Instant at,
      EventType type,
      String message,
      String replica)
      throws SQLException {
    insert(connection, executionId, at, type, null, null, message, replica);
  }

  /** One event, in the connection's transaction (JDBC). */
  public static void insert(
      Connection connection,
      UUID executionId,
      Instant at,
      EventType type,
      ExecutionStatus from,
      ExecutionStatus to,
      String message,
      String replica)
      throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement(INSERT_ONE_POSITIONAL)) {
      insert.setTimestamp(1, Timestamp.from(at));
      insert.setString(2, type.name());
      insert.setString(3, from == null ? null : from.name());
      insert.setString(4, to == null ? null : to.name());
      insert.setString(5, StoredText.of(message));
      insert.setString(6, replica);
      insert.setObject(7, executionId);
      insert.executeUpdate();
    }
  }
}
