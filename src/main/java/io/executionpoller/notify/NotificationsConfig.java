package io.executionpoller.notify;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Webhook subscriptions, their delivery, and the live event stream. */
@ConfigMapping(prefix = "poller.notifications")
public interface NotificationsConfig {

  /** Send due deliveries from this replica. Tests switch it off and drive the dispatcher. */
  @WithDefault("true")
  boolean enabled();

  /**
   * Hosts webhook URLs may point at (exact, or wildcards as in poller.results.allowed-hosts). No
   * default: without it no subscription can be created. A loopback or link-local address is only
   * reached when it is listed itself (127.0.0.1, [::1]).
   */
  Optional<List<String>> allowedHosts();

  /** Refuse plain-http webhook URLs (dev and test send to receivers on localhost). */
  @WithDefault("true")
  boolean requireHttps();

  /**
   * How often a replica looks for due deliveries when the last batch was not full (a full batch is
   * followed at once by the next). Quarkus's scheduler runs nothing more often than once a second.
   */
  @WithDefault("1S")
  Duration tick();

  /**
   * Deliveries claimed at once by one replica (one claim, one write of first bodies, one write of
   * answers per batch): the most it has in flight.
   */
  @WithDefault("64")
  int batchSize();

  /** Posts (and first-body builds) running at once on this replica. */
  @WithDefault("16")
  int maxConcurrentSends();

  /**
   * How long a claimed delivery is this replica's alone, on the database's clock. Longer than a
   * batch can take: batch-size / max-concurrent-sends rounds of connect plus request timeout.
   */
  @WithDefault("2M")
  Duration leaseDuration();

  /** Connecting to a receiver (the name lookup included) gives up after this. */
  @WithDefault("5S")
  Duration connectTimeout();

  /** A receiver that has not answered within this is a failed attempt. */
  @WithDefault("15S")
  Duration requestTimeout();

  /**
   * Dev and test builds only: PEM certificate files the webhook client trusts INSTEAD of the JVM's
   * trust store, so a test's receiver with a self-signed certificate can be reached over https with
   * the host name still verified. Unset means the JVM's trust store; a production build refuses to
   * start with it set.
   */
  Optional<List<String>> testTrustCertificates();

  /** The wait after a first failed attempt is drawn below this; it doubles per attempt. */
  @WithDefault("30S")
  Duration backoffBase();

  /** The longest wait between two attempts. */
  @WithDefault("6H")
  Duration backoffCap();

  /** A delivery still failing this long after its event is marked DEAD. */
  @WithDefault("3D")
  Duration maxAge();

  /** How long the old secret keeps signing after a rotation. */
  @WithDefault("24H")
  Duration secretGrace();

  /** The live event stream (GET /api/v1/events/stream). */
  Stream stream();

  /** The live event stream. */
  interface Stream {

    /** Events read from the database per page; one page is all a stream holds in memory. */
    @WithDefault("100")
    int pageSize();

    /** How often a caught-up stream looks for new events. */
    @WithDefault("1S")
    Duration pollInterval();
  }
}
