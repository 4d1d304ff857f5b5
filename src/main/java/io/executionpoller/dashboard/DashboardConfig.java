package io.executionpoller.dashboard;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The read-only dashboard at {@code /}: page size, reload interval, events and preview rows. */
@ConfigMapping(prefix = "poller.dashboard")
public interface DashboardConfig {

  /** How often an open page reloads itself; 0 turns reloading off. */
  @WithDefault("15S")
  Duration refreshInterval();

  /** Executions per page of the list (a {@code limit} query parameter may ask for 1 to 500). */
  @WithDefault("50")
  int pageSize();

  /** Newest events shown on an execution's page; the API has the whole trail. */
  @WithDefault("100")
  int events();

  /** First result rows shown on an execution's page: 0 for none, at most 1000 (more are cut). */
  @WithDefault("20")
  int previewRows();

  /** Executions listed on the Problems page, longest-stuck first; the counts cover them all. */
  @WithDefault("200")
  int problemRows();

  /** How often the due-check backlog is sampled for the charts (each replica samples). */
  @WithDefault("5M")
  Duration backlogSampleInterval();
}
