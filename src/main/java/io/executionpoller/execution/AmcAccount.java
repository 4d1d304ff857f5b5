package io.executionpoller.execution;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** An AMC account: the entity (advertiser) id and marketplace sent with every AMC call. */
@Entity
@Table(name = "amc_accounts")
public class AmcAccount extends PanacheEntityBase {

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  public Long id;

  @Column(name = "account_id", nullable = false)
  public String advertiserId;

  @Column(name = "marketplace_id", nullable = false)
  public String marketplaceId;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;
}
