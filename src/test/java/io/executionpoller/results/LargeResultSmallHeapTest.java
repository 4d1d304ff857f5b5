package io.executionpoller.results;

import static org.assertj.core.api.Assertions.assertThat;

import io.executionpoller.simulator.ResultFile;
import io.executionpoller.support.Downloads;
import io.executionpoller.support.Fixtures;
import io.executionpoller.support.PostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Constant memory by construction: a result of more than 200 MB is downloaded, parsed and stored by
 * a JVM whose whole heap is 160 MB (the surefire execution "small-heap" gives it -Xmx160m), with
 * the simulator generating the file in the same JVM. Any whole-file buffer would end the run with
 * an OutOfMemoryError; no timing is asserted.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
@Tag("small-heap")
class LargeResultSmallHeapTest {

  private static final long MB = 1024 * 1024;
  private static final long ROWS = 2_000_000;

  @Inject Fixtures fixtures;
  @Inject Results results;
  @Inject Downloads downloads;

  @Test
  void shouldStoreAResultMuchLargerThanTheHeapWithoutRunningOutOfMemory() {
    long maxHeap = Runtime.getRuntime().maxMemory();
    // The Quarkus test harness alone keeps about 110-120 MB live (indexes of the whole test
    // classpath); 128 MB left the download too little room once the API and dashboard landed.
    assertThat(maxHeap).as("runs only in the -Xmx160m JVM").isLessThanOrEqualTo(160 * MB);
    fixtures.reset();
    UUID execution = results.succeeded("wf_large", 0, List.of(ResultFile.wide(ROWS)));

    downloads.downloadAll(Duration.ofMinutes(10));

    Map<String, Object> result = results.result(execution);
    assertThat(result.get("status")).isEqualTo("STORED");
    assertThat(result.get("row_count")).isEqualTo(ROWS);
    long bytes = (Long) result.get("byte_size");
    assertThat(bytes).isGreaterThan(200 * MB).isGreaterThan(maxHeap);
    assertThat(results.storedBytes(execution)).isEqualTo(bytes);
    System.out.printf(
        "small-heap result: %d MB stored with a %d MB heap%n", bytes / MB, maxHeap / MB);
  }
}
