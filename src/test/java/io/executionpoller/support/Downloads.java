package io.executionpoller.support;

import io.executionpoller.results.ResultDownloader;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import java.time.Duration;
import org.awaitility.Awaitility;

/**
 * Drives result downloads in tests that run with the background download step off: dispatches what
 * is due and waits until the downloads it started have ended.
 */
@ApplicationScoped
public class Downloads {

  private static final Duration AWAIT = Duration.ofSeconds(60);
  private static final int MAX_ROUNDS = 10;

  private final ResultDownloader downloader;

  Downloads(ResultDownloader downloader) {
    this.downloader = downloader;
  }

  /**
   * Dispatches and waits, round after round, until a dispatch starts nothing; fails when that takes
   * more than ten rounds.
   */
  public void downloadAll() {
    for (int round = 0; round < MAX_ROUNDS; round++) {
      int started;
      try {
        started = downloader.dispatch();
      } catch (SQLException e) {
        throw new IllegalStateException("dispatching downloads", e);
      }
      awaitIdle();
      if (started == 0) {
        return;
      }
    }
    throw new AssertionError("downloads did not settle");
  }

  /** Waits until no download runs. */
  public void awaitIdle() {
    Awaitility.await("downloads to finish")
        .atMost(AWAIT)
        .pollInterval(Duration.ofMillis(20))
        .until(() -> downloader.inFlight() == 0);
  }
}
