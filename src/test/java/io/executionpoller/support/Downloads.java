package io.executionpoller.support;

import io.executionpoller.results.ResultDownloader;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import java.time.Duration;
import org.awaitility.Awaitility;

/**
 * Drives result downloads in tests that run with the background download step off: dispatches what
 * is due and waits until the downloads it started have ended. The one way tests drive downloads to
 * their end, so every test settles them by the same rule.
 */
@ApplicationScoped
public class Downloads {

  private static final Duration AWAIT = Duration.ofSeconds(60);

  private final ResultDownloader downloader;

  Downloads(ResultDownloader downloader) {
    this.downloader = downloader;
  }

  /** Dispatches and waits, round after round, until a dispatch starts nothing, within a minute. */
  public void downloadAll() {
    downloadAll(AWAIT);
  }

  /**
   * Dispatches and waits, round after round, until a dispatch starts nothing; fails when that takes
   * longer than {@code within} (a benchmark's gigabyte takes longer than the usual minute).
   */
  public void downloadAll(Duration within) {
    long until = System.nanoTime() + within.toNanos();
    do {
      int started;
      try {
        started = downloader.dispatch();
      } catch (SQLException e) {
        throw new IllegalStateException("dispatching downloads", e);
      }
      awaitIdle(downloader, within);
      if (started == 0) {
        return;
      }
    } while (System.nanoTime() < until);
    throw new AssertionError("downloads did not settle within " + within);
  }

  /** Waits until no download runs. */
  public void awaitIdle() {
    awaitIdle(downloader);
  }

  /** Waits until no download of {@code downloader} runs, also one a test built itself. */
  public static void awaitIdle(ResultDownloader downloader) {
    awaitIdle(downloader, AWAIT);
  }

  private static void awaitIdle(ResultDownloader downloader, Duration within) {
    Awaitility.await("downloads to finish")
        .atMost(within)
        .pollInterval(Duration.ofMillis(20))
        .until(() -> downloader.inFlight() == 0);
  }
}
