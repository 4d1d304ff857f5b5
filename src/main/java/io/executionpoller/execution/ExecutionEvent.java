package io.executionpoller.execution;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/**
 * One entry of the append-only audit of an execution, as it is read; its id is the global sequence.
 * Every insert goes through {@link EventRows}.
 */
@Entity
@Table(name = "execution_events")
public class ExecutionEvent extends PanacheEntityBase {

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  public Long id;

  @Column(name = "execution_id", nullable = false)
  public UUID executionId;

  @Column(name = "occurred_at", nullable = false)
  public Instant occurredAt;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false)
  public EventType type;

  @Column(nullable = false)
  public int attempt;

  @Enumerated(EnumType.STRING)
  @Column(name = "from_status")
  public ExecutionStatus fromStatus;

  @Enumerated(EnumType.STRING)
  @Column(name = "to_status")
  public ExecutionStatus toStatus;

  @Column(name = "remote_status")
  public String remoteStatus;

  @Column(name = "amc_execution_id")
  public String amcExecutionId;

  public String message;

  public String replica;
}
