package io.executionpoller.process;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Environment of a daemon under test: its database, the simulated AMC, a replica id, and short
 * intervals so that a test takes seconds, not the production minutes.
 */
final class DaemonSettings {

  private DaemonSettings() {}

  /**
   * A replica polling every {@code interval} with claims (of checks and downloads) exclusive for
   * {@code lease}. One AMC call per check (no in-call repeats) and no failed check coming back
   * sooner than the interval: every two AMC calls for one execution closer than the interval are
   * then a double check, which the audit looks for.
   */
  static Map<String, String> replica(
      ScratchDatabase database,
      SimulatedAmc amc,
      String replicaId,
      Duration interval,
      Duration lease) {
    Map<String, String> env = PackagedDaemon.database(database);
    env.putAll(amc.clientSettings());
    env.put("POLLER_POLL_REPLICA_ID", replicaId);
    env.put("POLLER_POLL_INTERVAL", interval.toString());
    env.put("POLLER_POLL_LEASE_DURATION", lease.toString());
    // A check must fit in its lease (it is handed back otherwise), and a call in the check.
    env.put("POLLER_POLL_CHECK_DEADLINE", lease.dividedBy(2).toString());
    env.put("POLLER_AMC_REQUEST_TIMEOUT", "PT2S");
    env.put("POLLER_AMC_CALL_RETRIES", "0");
    env.put("POLLER_RETRY_CHECK_BACKOFF_FLOOR", interval.toString());
    env.put("POLLER_RETRY_CHECK_BACKOFF_BASE", interval.toString());
    env.put("POLLER_REMOTE_RATE_LIMIT_REQUESTS_PER_SECOND", "100000");
    env.put("POLLER_REMOTE_RATE_LIMIT_BURST", "100000");
    env.put("POLLER_RESULTS_LEASE_DURATION", lease.toString());
    // These workloads test crashes and races, not AMC's quotas (AdmissionLoopTest does).
    env.put("POLLER_ADMISSION_MAX_RUNNING_PER_INSTANCE", "1000000");
    env.put("POLLER_ADMISSION_MAX_RUNNING_PER_ACCOUNT", "1000000");
    env.put("POLLER_ADMISSION_MAX_AD_HOC_PER_DAY", "1000000");
    // The in-memory scheduler runs nothing more often than once a second.
    env.put("POLLER_RESULTS_TICK", "PT1S");
    env.put("POLLER_RESULTS_BACKOFF_BASE", "PT1S");
    env.put("POLLER_RESULTS_BACKOFF_CAP", "PT2S");
    // Three replicas, the simulator and other tests share one PostgreSQL of 100 connections.
    env.put("QUARKUS_DATASOURCE_REACTIVE_MAX_SIZE", "8");
    env.put("QUARKUS_DATASOURCE_JDBC_MAX_SIZE", "10");
    return new LinkedHashMap<>(env);
  }
}
