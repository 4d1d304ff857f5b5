package io.executionpoller.execution;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** What to run on AMC: a saved workflow id or an ad hoc SQL query, on one instance. */
@Entity
@Table(name = "workflows")
public class Workflow extends PanacheEntityBase {

  @Id public UUID id;

  @Column(name = "amc_instance_id", nullable = false)
  public Long instanceRef;

  public String name;

  @Column(name = "amc_workflow_id")
  public String amcWorkflowId;

  @Column(name = "sql_query")
  public String sqlQuery;

  @Column(name = "max_runtime_seconds")
  public Integer maxRuntimeSeconds;

  @Column(name = "warning_threshold_seconds")
  public Integer warningThresholdSeconds;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;

  @Column(name = "updated_at", nullable = false)
  public Instant updatedAt;
}
