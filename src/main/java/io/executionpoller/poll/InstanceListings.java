package io.executionpoller.poll;

import io.executionpoller.remote.AmcClient;
import io.executionpoller.remote.ExecutionPage;
import io.executionpoller.remote.ListedExecution;
import io.executionpoller.remote.RemoteExecution;
import io.executionpoller.remote.RemoteTarget;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.jboss.logging.Logger;

/**
 * One listing per AMC instance at a time, shared by the checks of that instance: the first check
 * that needs one fetches it, every concurrent check of the instance waits on that same call, and
 * later checks reuse its answer for {@code max-age}. Whether a check asks for the listing at all is
 * {@link StatusReadRule}'s choice, by how many checks of the instance fell due lately. Every
 * listing call passes the client's guards (breaker, rate limit, deadline, bounded pages).
 */
@ApplicationScoped
class InstanceListings {

  private static final Logger LOG = Logger.getLogger(InstanceListings.class);

  private final AmcClient amc;
  private final Clock clock;
  private final StatusReadRule.Settings settings;
  private final ConcurrentMap<RemoteTarget, Instance> instances = new ConcurrentHashMap<>();

  @Inject
  InstanceListings(AmcClient amc, Clock clock, ListingConfig config) {
    this(amc, clock, StatusReadRule.Settings.of(config));
  }

  InstanceListings(AmcClient amc, Clock clock, StatusReadRule.Settings settings) {
    this.amc = amc;
    this.clock = clock;
    this.settings = settings;
  }

  /**
   * The listed status of {@code execution} when the listing settles its check; null when a GET must
   * answer (not listed this time, missing, changed, or the listing failed).
   */
  Uni<RemoteExecution> settledAnswer(ClaimedExecution execution) {
    Uni<Map<String, RemoteExecution>> listing =
        instances
            .computeIfAbsent(execution.target(), target -> new Instance())
            .listingFor(execution, clock.instant());
    if (listing == null) {
      return Uni.createFrom().nullItem();
    }
    return listing
        .map(
            listed ->
                StatusReadRule.settled(
                    execution.remoteStatus(), listed.get(execution.amcExecutionId())))
        .onFailure()
        .invoke(
            failure ->
                LOG.debugf(
                    "listing %s failed, the check reads singly: %s",
                    execution.target(), failure.toString()))
        // The GET that answers instead meets the same guards and reports its own failure.
        .onFailure()
        .recoverWithNull();
  }

  private Uni<Map<String, RemoteExecution>> fetch(RemoteTarget target, Instant now) {
    return amc.listStatuses(target, now.minus(settings.window()), settings.maxPages())
        .map(InstanceListings::byId)
        .memoize()
        .indefinitely();
  }

  private static Map<String, RemoteExecution> byId(ExecutionPage listing) {
    Map<String, RemoteExecution> byId = new HashMap<>();
    for (ListedExecution listed : listing.executions()) {
      RemoteExecution execution = listed.execution();
      byId.put(execution.workflowExecutionId(), execution);
    }
    return byId;
  }

  /** One instance: its checks counted by listing life, and its current listing. */
  private final class Instance {

    private Instant windowStart = Instant.MIN;
    // Executions, not checks: one execution checked again after a failure is still one.
    private final Set<UUID> dueNow = new HashSet<>();
    private int duePrevious;
    private Instant listedAt = Instant.MIN;
    private Uni<Map<String, RemoteExecution>> listing;

    /** The listing that answers this check, fetched if needed; null to read it singly. */
    synchronized Uni<Map<String, RemoteExecution>> listingFor(
        ClaimedExecution execution, Instant now) {
      int due = countDue(execution.id(), now);
      boolean atHand = listing != null && now.isBefore(listedAt.plus(settings.maxAge()));
      StatusReadRule.Read read =
          StatusReadRule.choose(settings, due, atHand, execution.submitAttemptedAt(), now);
      if (read == StatusReadRule.Read.SINGLE) {
        return null;
      }
      if (!atHand) {
        listing = fetch(execution.target(), now);
        listedAt = now;
      }
      return listing;
    }

    /**
     * Executions of this instance checked in this listing life, or in the last one when that was
     * busier.
     */
    private int countDue(UUID executionId, Instant now) {
      if (!now.isBefore(windowStart.plus(settings.maxAge()))) {
        boolean adjacent = now.isBefore(windowStart.plus(settings.maxAge().multipliedBy(2)));
        duePrevious = adjacent ? dueNow.size() : 0;
        dueNow.clear();
        windowStart = now;
      }
      dueNow.add(executionId);
      return Math.max(dueNow.size(), duePrevious);
    }
  }
}
