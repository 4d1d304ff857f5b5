package io.executionpoller.poll;

import io.executionpoller.remote.RemoteExecution;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * How one status check is answered: from the instance's listing, or by a GET of the execution.
 * Pure. A listing costs one call per 100 executions of the instance and answers every check of it
 * for {@code maxAge}; a GET costs one call per check. So the planner lists an instance when enough
 * of its checks fall due within one listing's life, and reads singly where a listing cannot answer:
 * created before the listing's window, missing from the listing, the listing failing. A listing may
 * lag behind AMC, so only an unchanged status is taken from it; a change is confirmed by a GET,
 * whose answer (with statusReason and times) is the one applied.
 */
final class StatusReadRule {

  /**
   * @param enabled list at all
   * @param minDue executions of one instance checked within one listing's life from which it lists
   * @param maxAge how long one listing answers checks
   * @param window a listing covers executions created this long ago
   * @param maxPages pages of 100 read per listing at most
   */
  record Settings(boolean enabled, int minDue, Duration maxAge, Duration window, int maxPages) {

    static Settings of(ListingConfig config) {
      return new Settings(
          config.enabled(), config.minDue(), config.maxAge(), config.window(), config.maxPages());
    }

    /** Today's behaviour: every check reads its execution alone. */
    static Settings off() {
      return new Settings(false, Integer.MAX_VALUE, Duration.ZERO, Duration.ZERO, 0);
    }
  }

  enum Read {
    /** From the instance's listing (fetched now, or still fresh). */
    LISTING,
    /** A GET of the execution alone. */
    SINGLE
  }

  private StatusReadRule() {}

  /**
   * @param due executions of the instance checked within the current (or the last) listing's life,
   *     this one included
   * @param listingAtHand a listing of the instance is fresh or on its way: answering from it costs
   *     nothing
   * @param submittedAt when the execution's create was sent (null when unknown: it was tracked, not
   *     submitted, and a listing is tried)
   */
  static Read choose(
      Settings settings, int due, boolean listingAtHand, Instant submittedAt, Instant now) {
    if (!settings.enabled()) {
      return Read.SINGLE;
    }
    if (submittedAt != null && submittedAt.isBefore(now.minus(settings.window()))) {
      return Read.SINGLE;
    }
    return listingAtHand || due >= settings.minDue() ? Read.LISTING : Read.SINGLE;
  }

  /**
   * The listing's answer for an execution whose last known remote status is {@code stored}, when
   * the listing settles it: listed, and unchanged. Null when a GET must answer instead: missing
   * from the listing (or the listing failed, {@code listed} null too), or changed, to be confirmed.
   */
  static RemoteExecution settled(String stored, RemoteExecution listed) {
    return listed != null && Objects.equals(listed.status(), stored) ? listed : null;
  }
}
