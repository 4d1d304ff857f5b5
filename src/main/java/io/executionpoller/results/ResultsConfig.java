package io.executionpoller.results;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;

/** Downloading, storing and serving results. */
@ConfigMapping(prefix = "poller.results")
public interface ResultsConfig {

  /** Download results on this replica. Tests switch it off and drive downloads themselves. */
  @WithDefault("true")
  boolean enabled();

  /** How often a replica looks for due downloads when it has a free slot. */
  @WithDefault("2S")
  Duration tick();

  /** Downloads in flight at once on this replica, separate from status checks. */
  @WithDefault("2")
  int maxConcurrentDownloads();

  /** How long a download claim is exclusive; renewed while the download makes progress. */
  @WithDefault("2M")
  Duration leaseDuration();

  /** Hard deadline of one download attempt (all files of the result). */
  @WithDefault("2H")
  Duration attemptDeadline();

  /** A transfer that delivers no byte for this long is abandoned. */
  @WithDefault("60S")
  Duration idleTimeout();

  /** Attempts after which a result is marked FAILED. */
  @WithDefault("5")
  int maxAttempts();

  /** Repeats of one file within an attempt after a truncated or refused transfer. */
  @WithDefault("2")
  int fileRetries();

  /** First wait after a failed attempt; doubles per attempt, with full jitter. */
  @WithDefault("30S")
  Duration backoffBase();

  /** Longest wait between two attempts. */
  @WithDefault("30M")
  Duration backoffCap();

  /** Largest result accepted (content bytes over all files, after decompression). */
  @WithDefault("10G")
  MemorySize maxResultSize();

  /** Largest decompressed-to-compressed ratio of a gzip file (a decompression bomb guard). */
  @WithDefault("200")
  int maxExpansionRatio();

  /** Hosts downloads may come from; a leading "*." matches whole DNS labels. */
  @WithDefault(
      "s3.amazonaws.com,*.s3.amazonaws.com,s3.*.amazonaws.com,*.s3.*.amazonaws.com,"
          + "s3-*.amazonaws.com,*.s3-*.amazonaws.com")
  List<String> allowedHosts();

  /** Refuse plain-http download URLs (dev and test talk to the simulator over http). */
  @WithDefault("true")
  boolean requireHttps();

  /** CSV settings; AMC writes RFC 4180 with a comma and double quotes. */
  Csv csv();

  /** Rows in the preview of GET /results. */
  @WithDefault("10")
  int previewRows();

  /** Largest page of GET /results/rows. */
  @WithDefault("1000")
  int maxPageSize();

  /** Most bytes of names and values in one page of GET /results/rows (at least one row is sent). */
  @WithDefault("4M")
  MemorySize maxPageBytes();

  /** CSV dialect of results. */
  interface Csv {

    /** Field separator (one character). */
    @WithDefault(",")
    char separator();

    /** Quote character (one character). */
    @WithDefault("\"")
    char quote();
  }
}
