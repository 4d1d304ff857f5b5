package io.executionpoller.execution;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** An AMC instance (a path parameter of every AMC call) and the account it belongs to. */
@Entity
@Table(name = "amc_instances")
public class AmcInstance extends PanacheEntityBase {

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  public Long id;

  @Column(name = "instance_id", nullable = false)
  public String instanceId;

  @Column(name = "amc_account_id", nullable = false)
  public Long accountId;

  /** Regional endpoint override; null means the configured default. */
  @Column(name = "api_base_url")
  public String apiBaseUrl;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;
}
