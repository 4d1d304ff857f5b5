package io.executionpoller.execution;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * One tracked execution, and the one mapping of its row: registration persists it, and the read API
 * and the dashboard map their views from it. Writes that race the poll loop are guarded SQL, never
 * a merge of this entity: the loop's batched writes over the reactive client ({@code
 * poll.ExecutionStore}) and the operator actions' native statements ({@code
 * admin.ExecutionActions}) all check and bump {@link #version}.
 */
@Entity
@Table(name = "workflow_executions")
public class WorkflowExecution extends PanacheEntityBase {

  /**
   * The unique index (migration V8) that lets a remote execution of an AMC instance be tracked by
   * one row: a violation of it means another row tracks that run. Registration and the loop's
   * adoption both read it by this name.
   */
  public static final String ONE_ROW_PER_REMOTE_RUN =
      "workflow_executions_instance_amc_execution_uq";

  @Id public UUID id;

  @Column(name = "workflow_id", nullable = false)
  public UUID workflowId;

  /**
   * The workflow's AMC instance row, copied by a database trigger on insert (migration V3) so the
   * loop can claim fairly per instance without a join; Hibernate never writes it.
   */
  @Column(name = "amc_instance_id", insertable = false, updatable = false)
  public Long instanceRef;

  @Column(name = "amc_execution_id")
  public String amcExecutionId;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false)
  public ExecutionStatus status;

  @Column(name = "remote_status")
  public String remoteStatus;

  @Column(name = "status_reason")
  public String statusReason;

  /** Why it waits locally for AMC's quotas (admission's QueuedReason), or null. */
  @Column(name = "queued_reason")
  public String queuedReason;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;

  @Column(name = "updated_at", nullable = false)
  public Instant updatedAt;

  @Column(name = "submit_attempted_at")
  public Instant submitAttemptedAt;

  @Column(name = "submitted_at")
  public Instant submittedAt;

  @Column(name = "started_at")
  public Instant startedAt;

  @Column(name = "completed_at")
  public Instant completedAt;

  @Column(name = "remote_expire_time")
  public Instant remoteExpireTime;

  @Column(name = "remote_timeout_seconds")
  public Integer remoteTimeoutSeconds;

  @Column(name = "next_poll_at", nullable = false)
  public Instant nextPollAt;

  @Column(name = "last_polled_at")
  public Instant lastPolledAt;

  @Column(name = "poll_count", nullable = false)
  public int pollCount;

  @Column(name = "consecutive_poll_errors", nullable = false)
  public int consecutivePollErrors;

  @Column(name = "last_error")
  public String lastError;

  @Column(name = "last_error_at")
  public Instant lastErrorAt;

  @Column(name = "error_type")
  public String errorType;

  @Column(name = "error_message")
  public String errorMessage;

  /** The execution this one repeats (POST /executions/{id}/retry); null for a first run. */
  @Column(name = "retry_of")
  public UUID retryOf;

  @Column(name = "retry_count", nullable = false)
  public int retryCount;

  @Column(name = "next_retry_at")
  public Instant nextRetryAt;

  @Column(name = "lease_owner")
  public String leaseOwner;

  @Column(name = "lease_expires_at")
  public Instant leaseExpiresAt;

  @Version public long version;

  @JdbcTypeCode(SqlTypes.JSON)
  @Column(nullable = false)
  public Map<String, String> parameters;

  @JdbcTypeCode(SqlTypes.JSON)
  @Column(name = "time_window")
  public TimeWindow timeWindow;

  @Column(name = "result_rows")
  public Long resultRows;

  @Column(name = "result_size_bytes")
  public Long resultSizeBytes;

  @Column(name = "execution_duration")
  public Integer executionDurationSeconds;

  /** The W3C traceparent of the span its registration ran in; its later spans continue it. */
  public String traceparent;
}
