package io.executionpoller.poll;

import io.agroal.api.AgroalDataSource;
import io.executionpoller.admission.Admission;
import io.executionpoller.remote.AmcClient;
import io.executionpoller.remote.AmcConfig;
import io.executionpoller.remote.RemoteTarget;
import io.executionpoller.simulator.AmcSimulator;
import io.executionpoller.simulator.ExecutionScript;
import io.executionpoller.support.Fixtures;
import io.executionpoller.support.PostgresResource;
import io.executionpoller.support.TestClock;
import io.executionpoller.support.TestPollConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What users see of the loop, against the simulator with a fixed latency: N executions that each
 * answer RUNNING three times and then SUCCEEDED (half the checks change something), worked from the
 * first check to the last as AMC sees them, beside the same calls without the loop in the same run.
 * Run with {@code ./mvnw test -Pbenchmark -Dtest=CoreLoopBenchmark -Dbench.executions=10000
 * -Dbench.latency-ms=50 -Dbench.concurrency=64}; {@code -Dbench.instances=1000} spreads the work
 * over that many AMC instances and {@code -Dbench.finished=1000000} adds as many finished rows;
 * {@code -Dbench.claims-only=true} stops after timing the claim alone at the seeded size. Prints
 * and writes target/benchmark-core-loop.txt. It reports, it does not assert: timings on a shared
 * 2-core machine are not test material.
 */
@QuarkusTest
@TestProfile(CoreLoopBenchmark.AllRunAtOnce.class)
@WithTestResource(PostgresResource.class)
@Tag("benchmark")
class CoreLoopBenchmark {

  /**
   * AMC runs ten executions of an instance at once and queues the rest PENDING; with 10,000
   * executions on one instance nearly all would stay PENDING for the whole run and hardly a check
   * would change anything. The benchmark's executions all run at once, so every one goes PENDING to
   * RUNNING to SUCCEEDED within the run and half the checks change state.
   */
  public static class AllRunAtOnce implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("poller.simulator.running-limit-per-instance", "100000000");
    }
  }

  /** Four checks an execution: PENDING to RUNNING, RUNNING twice, then SUCCEEDED. */
  private static final int CHECKS_EACH = 4;

  private static final Duration INTERVAL = Duration.ofSeconds(15);

  @Inject AmcSimulator simulator;
  @Inject Fixtures fixtures;
  @Inject TestClock clock;
  @Inject AgroalDataSource dataSource;
  @Inject Pool pool;
  @Inject LoopMetrics metrics;
  @Inject AmcConfig amcConfig;
  @Inject MeterRegistry registry;

  /** The instance of each due execution, by remote id. */
  private final Map<String, String> instanceOf = new HashMap<>();

  @Test
  void shouldMeasureStatusChecksPerSecond() throws Exception {
    int executions = Integer.getInteger("bench.executions", 10_000);
    int latencyMs = Integer.getInteger("bench.latency-ms", 50);
    int concurrency = Integer.getInteger("bench.concurrency", 64);
    int instances = Integer.getInteger("bench.instances", 1);
    int finished = Integer.getInteger("bench.finished", 0);
    int batchSize = Integer.getInteger("bench.batch-size", Math.max(100, 2 * concurrency));
    int maxChecksPerCycle = Integer.getInteger("bench.max-checks-per-cycle", 5_000);
    fixtures.reset();
    fixtures.savedWorkflow("wf_bench");
    simulator.setLatency(Duration.ofMillis(latencyMs));
    TimedClaims store = new TimedClaims(pool, metrics, amcConfig);
    TestPollConfig config =
        TestPollConfig.defaults()
            .withConcurrency(concurrency)
            .withBatchSize(batchSize)
            .withMaxChecksPerCycle(maxChecksPerCycle);
    PollCycle poller = ReplicaLoops.build(config, "bench", store);
    StringBuilder warmedUp = new StringBuilder();
    // The recording starts before the warm-up: starting JFR re-instruments its event classes, and
    // the JIT then compiles again what depended on them (some 8,000 compilations, 28 s of a
    // compiler thread, whatever the run's length). Only the measured run's events are counted.
    CpuSplit cpu = CpuSplit.start();
    // The loop itself warmed up as the transport was: a daemon runs for days, so the JIT's
    // compiling of the loop's code at start is not a cost of each check. -Dbench.warm-up=0 leaves
    // it in.
    int warmUp = Integer.getInteger("bench.warm-up", Math.min(executions, 4_000));
    if (warmUp > 0 && !Boolean.getBoolean("bench.claims-only")) {
      seedWarmUp(warmUp);
      Run warm = runUntilDone(poller, warmUp);
      warmedUp.append(
          String.format(
              "loop warm-up before measuring: %d executions, %d checks, %d transitions, %d ticks%n",
              warmUp, warm.checks(), warm.transitions(), warm.ticks()));
    }

    long seedStart = System.nanoTime();
    List<String> remoteIds = seed(executions, instances, finished);
    double seedSeconds = (System.nanoTime() - seedStart) / 1e9;
    double ideal = latencyMs == 0 ? Double.NaN : concurrency * 1000.0 / latencyMs;
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            "core-loop benchmark: N=%d due over %d instance(s), %d finished rows, L=%dms, C=%d,"
                + " batch %d, %d checks per cycle (ideal C/L = %.0f checks/s)%n",
            executions,
            instances,
            finished,
            latencyMs,
            concurrency,
            batchSize,
            maxChecksPerCycle,
            ideal));
    out.append(String.format("seeded in %.1f s (SQL, generate_series)%n", seedSeconds));
    out.append(warmedUp);

    // The claim alone at this size, before the run: one claim of the batch at a time, each handed
    // back at once, timed around the statement on an idle database.
    int claimSize = Integer.getInteger("bench.claim-size", 100);
    IsolatedClaims isolated = isolatedClaims(store, claimSize, 40);
    out.append(
        String.format(
            "claim of %d alone (idle database, %d claims): p50 %.1f ms, p99 %.1f ms, %d rows a"
                + " claim%n",
            claimSize, isolated.count(), isolated.p50(), isolated.p99(), isolated.rows()));
    if (Boolean.getBoolean("bench.claims-only")) {
      cpu.discard();
      finish(out);
      return;
    }

    // The same calls without the loop or the database, first: what the client and the simulator
    // alone achieve here, in this run, C calls in flight at all times. The first pass warms the
    // client (connections, JIT); the second is the ceiling reported.
    transportOnly(
        remoteIds.subList(0, Math.min(remoteIds.size(), 4 * concurrency * 8)), concurrency);
    double transport = transportOnly(remoteIds, concurrency);
    out.append(
        String.format(
            "transport only (AmcClient at concurrency %d, warmed, no loop, no database): %.0f"
                + " checks/s, ratio to ideal %.3f%n",
            concurrency, transport, transport / ideal));

    resetHeapPeaks();
    cpu.measureFromNow();
    Counters before = counters();
    Map<String, Long> threadsBefore = threadCpuTicks();
    AmcWatch watch = AmcWatch.start(simulator);
    Run run = runUntilDone(poller, executions);
    int checks = run.checks();
    int transitions = run.transitions();
    int ticks = run.ticks();
    double seconds = watch.stop();
    Counters after = counters();
    Map<String, Long> threadsAfter = threadCpuTicks();
    double simulatorShare = cpu.stopAndSimulatorShare();
    double perSecond = checks / seconds;
    out.append(
        String.format(
            "whole run, first to last status call as AMC saw them: %d checks (%d transitions,"
                + " %.2f of checks changed state) over %d ticks in %.2f s = %.0f checks/s, ratio to"
                + " ideal %.3f, ratio to transport only %.3f%n",
            checks,
            transitions,
            (double) transitions / Math.max(1, checks),
            ticks,
            seconds,
            perSecond,
            perSecond / ideal,
            perSecond / transport));
    out.append(
        String.format(
            "claim of %d during the run: p50 %.1f ms, p99 %.1f ms, max %.1f ms over %d claims"
                + " (timed around the statement, pool wait included)%n",
            batchSize,
            store.percentile(0.50),
            store.percentile(0.99),
            store.percentile(1.0),
            store.count()));
    double processCpuMs = (after.daemonCpuNanos - before.daemonCpuNanos) / 1e6 / checks;
    out.append(
        String.format(
            "per check: daemon CPU %.3f ms (this JVM %.3f ms, less the in-JVM simulator's share"
                + " %.2f of CPU samples), PostgreSQL CPU %.3f ms (this database's backends), %.3f"
                + " transactions, %.0f WAL bytes (cluster-wide), %.4f statements%n",
            processCpuMs * (1 - simulatorShare),
            processCpuMs,
            simulatorShare,
            (after.postgresCpuTicks - before.postgresCpuTicks) * 1000.0 / CLOCK_TICKS / checks,
            (double) (after.commits - before.commits) / checks,
            (double) (after.walBytes - before.walBytes) / checks,
            (after.statements - before.statements) / checks));
    out.append(threadBreakdown(threadsBefore, threadsAfter, checks));
    out.append(cpu.jit());
    // The JIT's compiler threads still compile the frameworks' code minutes into a run; a daemon
    // that runs for days pays that once. Without them, the rest split as above.
    double compilingMs =
        threadsAfter.entrySet().stream()
                .filter(e -> e.getKey().contains("CompilerThre"))
                .mapToLong(e -> e.getValue() - threadsBefore.getOrDefault(e.getKey(), 0L))
                .sum()
            * 1000.0
            / CLOCK_TICKS
            / checks;
    out.append(
        String.format(
            "per check without the JIT's compiling: daemon CPU %.3f ms (this JVM %.3f ms less %.3f"
                + " ms of compiler threads, then less the simulator's share)%n",
            (processCpuMs - compilingMs) * (1 - simulatorShare), processCpuMs, compilingMs));
    out.append(
        String.format(
            "HOT updates of workflow_executions during the run: %.2f of %d updates%n",
            (double) (after.hotUpdates - before.hotUpdates)
                / Math.max(1, after.updates - before.updates),
            after.updates - before.updates));
    out.append(
        String.format(
            "peak heap used during the run: %.1f MB (max heap %.0f MB)%n",
            peakHeapMb(), Runtime.getRuntime().maxMemory() / 1048576.0));
    finish(out);
  }

  /** What one run of the loop over a seeded set did. */
  private record Run(int checks, int transitions, int ticks) {}

  /**
   * Until every execution has made its two transitions (to RUNNING, to SUCCESS), one tick of the
   * injected clock after another, as the scheduler would run the loop.
   */
  private Run runUntilDone(PollCycle poller, int executions) {
    int checks = 0;
    int transitions = 0;
    int ticks = 0;
    while (transitions < 2L * executions && ticks < 10 * CHECKS_EACH) {
      CycleReport report = poller.runOnce().await().atMost(Duration.ofMinutes(30));
      checks += report.claimed();
      transitions += report.transitions();
      ticks++;
      clock.advance(INTERVAL);
    }
    return new Run(checks, transitions, ticks);
  }

  /** Executions of the same script on the fixtures' instance, worked before the measured run. */
  private void seedWarmUp(int executions) throws SQLException {
    List<String> remoteIds = new ArrayList<>(executions);
    for (int i = 0; i < executions; i++) {
      remoteIds.add(
          simulator.preload(
              Fixtures.INSTANCE,
              "wf_bench",
              ExecutionScript.succeeds(Duration.ZERO, Duration.ofSeconds(40), 1)));
    }
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(true);
      insertDue(connection, remoteIds, Collections.nCopies(executions, Fixtures.INSTANCE));
    }
  }

  private void insertDue(Connection connection, List<String> remoteIds, List<String> instances)
      throws SQLException {
    Timestamp now = Timestamp.from(clock.instant());
    try (PreparedStatement due =
        connection.prepareStatement(
            "INSERT INTO workflow_executions (id, workflow_id, amc_execution_id, status,"
                + " created_at, updated_at, next_poll_at)"
                + " SELECT gen_random_uuid(), w.id, d.remote, 'PENDING', ?, ?, ?"
                + " FROM unnest(?::text[], ?::text[]) AS d(remote, instance)"
                + " JOIN amc_instances i ON i.instance_id = d.instance"
                + " JOIN workflows w ON w.amc_instance_id = i.id"
                + " AND w.amc_workflow_id = 'wf_bench'")) {
      due.setTimestamp(1, now);
      due.setTimestamp(2, now);
      due.setTimestamp(3, now);
      due.setArray(4, connection.createArrayOf("text", remoteIds.toArray()));
      due.setArray(5, connection.createArrayOf("text", instances.toArray()));
      due.executeUpdate();
    }
  }

  private static void finish(StringBuilder out) throws IOException {
    System.out.print(out);
    Files.writeString(Path.of("target", "benchmark-core-loop.txt"), out.toString());
  }

  /**
   * Due executions over {@code instances} instances (one workflow each) and {@code finished}
   * finished rows spread over them, written with SQL: the API is not what is measured.
   */
  private List<String> seed(int executions, int instances, int finished) throws SQLException {
    List<String> remoteIds = new ArrayList<>(executions);
    List<String> instanceOfEach = new ArrayList<>(executions);
    for (int i = 0; i < executions; i++) {
      String instance = instances == 1 ? Fixtures.INSTANCE : "benchinst" + (i % instances);
      String remote =
          simulator.preload(
              instance,
              "wf_bench",
              // RUNNING at 0, 15 and 30 s; SUCCEEDED at the fourth check, 45 s.
              ExecutionScript.succeeds(Duration.ZERO, Duration.ofSeconds(40), 1));
      remoteIds.add(remote);
      instanceOfEach.add(instance);
      instanceOf.put(remote, instance);
    }
    Timestamp now = Timestamp.from(clock.instant());
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(true);
      execute(
          connection,
          "INSERT INTO amc_instances (instance_id, amc_account_id, created_at)"
              + " SELECT 'benchinst' || g, i.amc_account_id, now() FROM generate_series(0, "
              + (instances - 1)
              + ") g, amc_instances i WHERE i.instance_id = '"
              + Fixtures.INSTANCE
              + "' AND "
              + instances
              + " > 1");
      execute(
          connection,
          "INSERT INTO workflows (id, amc_instance_id, amc_workflow_id, created_at, updated_at)"
              + " SELECT gen_random_uuid(), i.id, 'wf_bench', now(), now() FROM amc_instances i"
              + " WHERE i.instance_id LIKE 'benchinst%'");
      insertDue(connection, remoteIds, instanceOfEach);
      if (finished > 0) {
        // A million rows in one statement. Ids in ascending order and no row triggers (the
        // instance copy is written here; the foreign keys hold by construction) keep it to
        // seconds: random ids and a trigger per row made it minutes.
        execute(connection, "SET session_replication_role = replica");
        try (PreparedStatement done =
            connection.prepareStatement(
                "INSERT INTO workflow_executions (id, workflow_id, amc_instance_id,"
                    + " amc_execution_id, status, created_at, updated_at, completed_at,"
                    + " next_poll_at)"
                    + " SELECT lpad(to_hex(g), 32, '0')::uuid, w.id, w.amc_instance_id,"
                    + " 'done-' || g, 'SUCCESS', ?, ?, ?, ?"
                    + " FROM generate_series(1, ?) g"
                    + " JOIN (SELECT id, amc_instance_id, row_number() OVER (ORDER BY id) - 1 AS n,"
                    + " count(*) OVER () AS total FROM workflows WHERE amc_workflow_id = 'wf_bench')"
                    + " w ON w.n = g % w.total")) {
          done.setTimestamp(1, now);
          done.setTimestamp(2, now);
          done.setTimestamp(3, now);
          done.setTimestamp(4, now);
          done.setInt(5, finished);
          done.executeUpdate();
        } finally {
          execute(connection, "SET session_replication_role = DEFAULT");
        }
      }
      execute(connection, "VACUUM ANALYZE workflow_executions");
    }
    return remoteIds;
  }

  private double transportOnly(List<String> remoteIds, int concurrency) {
    AmcClient amc = io.quarkus.arc.Arc.container().instance(AmcClient.class).get();
    long start = System.nanoTime();
    long answered =
        Multi.createFrom()
            .iterable(remoteIds)
            .onItem()
            .transformToUni(
                id ->
                    amc.getExecution(
                            new RemoteTarget(
                                instanceOf.get(id),
                                Fixtures.ADVERTISER,
                                Fixtures.MARKETPLACE,
                                null),
                            id)
                        // A call that times out on a loaded machine is not counted, not fatal.
                        .map(answer -> 1L)
                        .onFailure()
                        .recoverWithItem(0L))
            .merge(concurrency)
            .collect()
            .with(Collectors.summingLong(Long::longValue))
            .await()
            .atMost(Duration.ofMinutes(30));
    return answered / ((System.nanoTime() - start) / 1e9);
  }

  /** What claims of the batch cost alone. */
  private record IsolatedClaims(int count, double p50, double p99, int rows) {}

  /**
   * Claims of the batch, one at a time, each handed back at once (the release leaves next_poll_at
   * as it was), so every claim meets the seeded state.
   */
  private IsolatedClaims isolatedClaims(TimedClaims store, int batch, int times) {
    int rows = 0;
    int warmUp = 5;
    for (int i = 0; i < warmUp + times; i++) {
      if (i == warmUp) {
        store.forget();
      }
      rows =
          store
              .claimBatch("bench-probe", clock.instant(), Duration.ofMinutes(5), batch)
              .await()
              .atMost(Duration.ofMinutes(1))
              .executions()
              .size();
      store.releaseAll("bench-probe", clock.instant()).await().atMost(Duration.ofMinutes(1));
    }
    IsolatedClaims claims =
        new IsolatedClaims(store.count(), store.percentile(0.50), store.percentile(0.99), rows);
    store.forget();
    return claims;
  }

  /**
   * The share of this JVM's CPU that serves the in-JVM simulator rather than the daemon, from JFR's
   * CPU samples (every 10 ms of each running thread): a sample whose stack passes through the
   * simulator's code, the HTTP server's request handling (the daemon serves no HTTP during the run:
   * every request is the simulator's), or the benchmark's own watcher counts for the simulator. GC
   * and JIT threads are not sampled; their CPU is split in the same proportion.
   */
  private static final class CpuSplit {

    private final jdk.jfr.Recording recording = new jdk.jfr.Recording();

    /** Events before this belong to the warm-up and are not counted. */
    private Instant measuredFrom = Instant.MIN;

    void measureFromNow() {
      measuredFrom = Instant.now();
    }

    void discard() {
      recording.close();
    }

    static CpuSplit start() {
      CpuSplit split = new CpuSplit();
      split.recording.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
      // Every compilation, to tell JIT work still going on from the loop's own CPU.
      split.recording.enable("jdk.Compilation").withThreshold(Duration.ZERO);
      split.recording.enable("jdk.Deoptimization");
      split.recording.start();
      return split;
    }

    /** Compilations the JIT finished during the recording, and their compile time in seconds. */
    private long compilations;

    private double compileSeconds;

    String jit() {
      return String.format(
          "JIT during the run: %d compilations, %.1f s of compiling%n",
          compilations, compileSeconds);
    }

    double stopAndSimulatorShare() throws IOException {
      recording.stop();
      Path file = Files.createTempFile("core-loop", ".jfr");
      try {
        recording.dump(file);
        String keep = System.getProperty("bench.jfr");
        if (keep != null) {
          Files.copy(file, Path.of(keep), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        long all = 0;
        long simulator = 0;
        for (jdk.jfr.consumer.RecordedEvent sample :
            jdk.jfr.consumer.RecordingFile.readAllEvents(file)) {
          if (sample.getStartTime().isBefore(measuredFrom)) {
            continue;
          }
          if (sample.getEventType().getName().equals("jdk.Compilation")) {
            compilations++;
            compileSeconds += sample.getDuration().toNanos() / 1e9;
            continue;
          }
          if (!sample.getEventType().getName().equals("jdk.ExecutionSample")) {
            continue;
          }
          all++;
          if (isSimulators(sample)) {
            simulator++;
          }
        }
        return all == 0 ? 0 : (double) simulator / all;
      } finally {
        recording.close();
        Files.deleteIfExists(file);
      }
    }

    private static boolean isSimulators(jdk.jfr.consumer.RecordedEvent sample) {
      jdk.jfr.consumer.RecordedThread thread = sample.getThread("sampledThread");
      if (thread != null && "amc-watch".equals(thread.getJavaName())) {
        return true;
      }
      jdk.jfr.consumer.RecordedStackTrace stack = sample.getStackTrace();
      if (stack == null) {
        return false;
      }
      for (jdk.jfr.consumer.RecordedFrame frame : stack.getFrames()) {
        String type = frame.getMethod().getType().getName();
        if (type.startsWith("io.executionpoller.simulator.")
            || type.startsWith("io.vertx.core.http.impl.Http1xServer")
            || type.startsWith("io.vertx.core.http.impl.HttpServer")
            || type.startsWith("io.netty.handler.codec.http.HttpServerCodec")
            || type.startsWith("io.netty.handler.codec.http.HttpRequestDecoder")
            || type.startsWith("io.netty.handler.codec.http.HttpResponseEncoder")
            || (type.startsWith("io.vertx.ext.web.")
                && !type.startsWith("io.vertx.ext.web.client."))
            || type.startsWith("io.quarkus.vertx.http.")) {
          return true;
        }
      }
      return false;
    }
  }

  /** Linux's USER_HZ: /proc reports CPU time in these ticks. */
  private static final double CLOCK_TICKS = 100.0;

  /** The counters read before and after the run. */
  private record Counters(
      long daemonCpuNanos,
      long postgresCpuTicks,
      long commits,
      long walBytes,
      double statements,
      long updates,
      long hotUpdates) {}

  private Counters counters() throws SQLException {
    long daemonCpu =
        ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
            .getProcessCpuTime();
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      long postgresCpu = 0;
      try (ResultSet backends =
          statement.executeQuery(
              "SELECT pid FROM pg_stat_activity WHERE datname = current_database()")) {
        while (backends.next()) {
          postgresCpu += cpuTicks(backends.getInt(1));
        }
      }
      try (ResultSet row =
          statement.executeQuery(
              "SELECT d.xact_commit, pg_current_wal_lsn() - '0/0'::pg_lsn,"
                  + " t.n_tup_upd, t.n_tup_hot_upd"
                  + " FROM pg_stat_database d, pg_stat_user_tables t"
                  + " WHERE d.datname = current_database() AND t.relname = 'workflow_executions'")) {
        row.next();
        return new Counters(
            daemonCpu,
            postgresCpu,
            row.getLong(1),
            row.getLong(2),
            registry.find("poller.db.statements").counters().stream()
                .mapToDouble(c -> c.count())
                .sum(),
            row.getLong(3),
            row.getLong(4));
      }
    }
  }

  /**
   * CPU ticks of this JVM's threads by kind, native ones included (JIT compilers, GC, the VM
   * thread), which JFR's execution samples never see: where the process's CPU goes.
   */
  private static Map<String, Long> threadCpuTicks() {
    Map<String, Long> byKind = new java.util.TreeMap<>();
    try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        try {
          String name = Files.readString(task.resolve("comm")).trim();
          String stat = Files.readString(task.resolve("stat"));
          String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
          byKind.merge(threadKind(name), ticks, Long::sum);
        } catch (IOException | RuntimeException gone) {
          // A thread that ended between the listing and the read: its time is lost either way.
        }
      }
    } catch (IOException e) {
      return byKind;
    }
    return byKind;
  }

  /** A thread's name without its number, so a pool's threads count as one kind. */
  private static String threadKind(String name) {
    return name.replaceAll("[#\\-]?[0-9]+$", "").replaceAll("[0-9]+", "N");
  }

  private static String threadBreakdown(
      Map<String, Long> before, Map<String, Long> after, int checks) {
    StringBuilder line =
        new StringBuilder("JVM CPU by thread kind, ms per check (native threads included):");
    after.entrySet().stream()
        .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
        .filter(e -> e.getValue() > 0)
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .forEach(
            e ->
                line.append(
                    String.format(
                        " %s %.3f;", e.getKey(), e.getValue() * 1000.0 / CLOCK_TICKS / checks)));
    return line.append(System.lineSeparator()).toString();
  }

  /** utime + stime of a process, in clock ticks; 0 once it is gone. */
  private static long cpuTicks(int pid) {
    try {
      String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  private static void execute(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  private static void resetHeapPeaks() {
    System.gc();
    ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
  }

  private static double peakHeapMb() {
    return ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(pool -> pool.getType() == MemoryType.HEAP)
            .mapToLong(pool -> pool.getPeakUsage().getUsed())
            .sum()
        / 1048576.0;
  }

  /**
   * The first and last status call as the simulator saw them arrive: a watcher notes the first
   * arrival, and the simulator's own arrival times give the last.
   */
  private static final class AmcWatch {

    private final AmcSimulator simulator;
    private final AtomicLong first = new AtomicLong();
    private final Thread watcher;

    private AmcWatch(AmcSimulator simulator) {
      this.simulator = simulator;
      int baseline = simulator.totalApiCalls();
      this.watcher =
          new Thread(
              () -> {
                while (simulator.totalApiCalls() == baseline) {
                  Thread.onSpinWait();
                }
                first.set(System.nanoTime());
              },
              "amc-watch");
      watcher.setDaemon(true);
      watcher.start();
    }

    static AmcWatch start(AmcSimulator simulator) {
      return new AmcWatch(simulator);
    }

    /** Seconds from the first arrival to the last. */
    double stop() throws InterruptedException {
      watcher.join(Duration.ofSeconds(5).toMillis());
      List<Long> arrivals = simulator.callNanosByAdvertiser(Fixtures.ADVERTISER);
      return (arrivals.get(arrivals.size() - 1) - first.get()) / 1e9;
    }
  }

  /** The loop's store, timing each claim statement from the caller's side. */
  private static final class TimedClaims extends ExecutionStore {

    private final List<Long> nanos = Collections.synchronizedList(new ArrayList<>());

    TimedClaims(Pool pool, LoopMetrics metrics, AmcConfig amc) {
      super(
          pool,
          metrics,
          amc,
          io.quarkus.arc.Arc.container().instance(PollConfig.class).get(),
          io.quarkus.arc.Arc.container().instance(Admission.class).get());
    }

    @Override
    Uni<Claim> claimBatch(String owner, Instant now, Duration lease, int limit) {
      return Uni.createFrom()
          .deferred(
              () -> {
                long start = System.nanoTime();
                return super.claimBatch(owner, now, lease, limit)
                    .invoke(claim -> nanos.add(System.nanoTime() - start));
              });
    }

    int count() {
      return nanos.size();
    }

    void forget() {
      nanos.clear();
    }

    double percentile(double p) {
      List<Long> sorted;
      synchronized (nanos) {
        sorted = new ArrayList<>(nanos);
      }
      if (sorted.isEmpty()) {
        return Double.NaN;
      }
      Collections.sort(sorted);
      int index = (int) Math.min(sorted.size() - 1, Math.ceil(p * sorted.size()) - 1);
      return sorted.get(Math.max(0, index)) / 1e6;
    }
  }
}
