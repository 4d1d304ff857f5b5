package io.executionpoller.results;

import static org.assertj.core.api.Assertions.assertThat;

import io.executionpoller.simulator.ResultFile;
import io.executionpoller.support.Downloads;
import io.executionpoller.support.Fixtures;
import io.executionpoller.support.PostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The results benchmark: a CSV of {@code bench.result-mb} MB (default 1024) served by the simulator
 * from disk, downloaded, parsed and stored by the daemon, against {@code psql \copy} of the same
 * file into an equivalent table (one text column per CSV column) in the same run. The figure is the
 * ratio of the two throughputs; peak heap is sampled while the daemon stores.
 *
 * <pre>./mvnw test -Pbenchmark -Dtest=ResultBenchmark -DargLine=-Xmx128m</pre>
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
@Tag("benchmark")
class ResultBenchmark {

  private static final long MB = 1024 * 1024;
  private static final int COLUMNS = 10;

  @Inject Fixtures fixtures;
  @Inject Results results;
  @Inject Downloads downloads;

  @Test
  void shouldMeasureDownloadParseAndStoreAgainstPsqlCopy() throws Exception {
    long targetBytes = Long.getLong("bench.result-mb", 1024) * MB;
    int rounds = Integer.getInteger("bench.rounds", 2);
    Path file = Files.createTempFile("result-benchmark", ".csv");
    try {
      long rows = writeCsv(file, targetBytes);
      long bytes = Files.size(file);
      System.out.printf(
          "%nresult benchmark: %.1f MB, %d rows, max heap %d MB%n",
          bytes / (double) MB, rows, Runtime.getRuntime().maxMemory() / MB);
      for (int round = 1; round <= rounds; round++) {
        fixtures.reset();
        double copySeconds = psqlCopy(file);
        fixtures.update("DROP TABLE IF EXISTS bench_copy");
        fixtures.update("CHECKPOINT");

        HeapSampler heap = new HeapSampler();
        heap.start();
        UUID execution =
            results.succeeded("wf_bench_" + round, 0, List.of(ResultFile.onDisk(file, "text/csv")));
        // Measured from the claim of the download to STORED: download, parse and store.
        long started = System.nanoTime();
        downloads.downloadAll(Duration.ofMinutes(30));
        double daemonSeconds = (System.nanoTime() - started) / 1e9;
        heap.stop();

        Map<String, Object> result = results.result(execution);
        assertThat(result.get("status")).isEqualTo("STORED");
        assertThat(result.get("row_count")).isEqualTo(rows);
        double daemonMbs = bytes / (double) MB / daemonSeconds;
        double copyMbs = bytes / (double) MB / copySeconds;
        System.out.printf(
            "round %d: daemon %.1f s = %.1f MB/s, %.0f rows/s; psql \\copy %.1f s = %.1f MB/s,"
                + " %.0f rows/s; ratio %.3f; %s%n",
            round,
            daemonSeconds,
            daemonMbs,
            rows / daemonSeconds,
            copySeconds,
            copyMbs,
            rows / copySeconds,
            daemonMbs / copyMbs,
            heap.describe());
        fixtures.update("CHECKPOINT");
      }
    } finally {
      Files.deleteIfExists(file);
      fixtures.reset();
    }
  }

  /** An AMC-like CSV: ten columns, a quoted text with a comma, about 110 bytes a row. */
  private static long writeCsv(Path file, long targetBytes) throws IOException {
    long rows = 0;
    long written = 0;
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
      byte[] header =
          ("campaign_id,event_date,campaign_name,ad_group_id,impressions,clicks,purchases,"
                  + "units_sold,spend,region\n")
              .getBytes(StandardCharsets.US_ASCII);
      out.write(header);
      written += header.length;
      StringBuilder line = new StringBuilder(160);
      while (written < targetBytes) {
        rows++;
        line.setLength(0);
        line.append(1_000_000_000L + rows)
            .append(',')
            .append("2026-11-")
            .append(10 + rows % 20)
            .append(",\"Campaign ")
            .append(rows % 9973)
            .append(", sponsored products\",")
            .append(7_000_000L + rows % 100_003)
            .append(',')
            .append(rows * 37 % 1_000_000)
            .append(',')
            .append(rows % 997)
            .append(',')
            .append(rows % 61)
            .append(',')
            .append(rows % 89)
            .append(',')
            .append(rows % 100_000)
            .append('.')
            .append(rows % 100)
            .append(",us-east-")
            .append(rows % 3)
            .append('\n');
        byte[] bytes = line.toString().getBytes(StandardCharsets.US_ASCII);
        out.write(bytes);
        written += bytes.length;
      }
    }
    return rows;
  }

  private double psqlCopy(Path file) throws Exception {
    StringBuilder columns = new StringBuilder();
    for (int i = 1; i <= COLUMNS; i++) {
      columns.append(i == 1 ? "" : ", ").append("c").append(i).append(" text");
    }
    fixtures.update("DROP TABLE IF EXISTS bench_copy");
    fixtures.update("CREATE TABLE bench_copy (" + columns + ")");
    String database = (String) fixtures.query("SELECT current_database() AS db").get(0).get("db");
    ProcessBuilder psql =
        new ProcessBuilder(
                "psql",
                "-h",
                System.getenv().getOrDefault("TEST_PG_HOST", "127.0.0.1"),
                "-U",
                System.getenv().getOrDefault("TEST_PG_USER", "postgres"),
                "-d",
                database,
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                "\\copy bench_copy FROM '" + file + "' WITH (FORMAT csv, HEADER true)")
            .redirectErrorStream(true);
    long started = System.nanoTime();
    Process process = psql.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as(output).isZero();
    return (System.nanoTime() - started) / 1e9;
  }

  /**
   * Samples the heap every 20 ms while the daemon stores: the peak of used heap (live objects and
   * garbage not yet collected), and the peak of what survived the latest collection, the live set,
   * next to the live set just before the download started (this JVM also holds the Quarkus test
   * harness). The difference is what the download itself kept alive at most.
   */
  private static final class HeapSampler {
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final List<MemoryPoolMXBean> pools =
        ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(pool -> pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null)
            .toList();
    private final AtomicLong peak = new AtomicLong();
    private final AtomicLong peakLive = new AtomicLong();
    private long baselineLive;
    private ScheduledExecutorService sampler;

    void start() {
      System.gc();
      baselineLive = live();
      sampler =
          Executors.newSingleThreadScheduledExecutor(
              runnable -> {
                Thread thread = new Thread(runnable, "heap-sampler");
                thread.setDaemon(true);
                return thread;
              });
      sampler.scheduleAtFixedRate(this::sample, 0, 20, TimeUnit.MILLISECONDS);
    }

    void stop() throws InterruptedException {
      sampler.shutdown();
      assertThat(sampler.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      sample();
    }

    private void sample() {
      peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
      peakLive.accumulateAndGet(live(), Math::max);
    }

    private long live() {
      return pools.stream().mapToLong(pool -> pool.getCollectionUsage().getUsed()).sum();
    }

    String describe() {
      return String.format(
          "peak heap used %d MB; live set before %d MB, peak after a collection %d MB",
          peak.get() / MB, baselineLive / MB, peakLive.get() / MB);
    }
  }
}
