package io.executionpoller.poll;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Batched status reads: one listing of an AMC instance answering many status checks. */
@ConfigMapping(prefix = "poller.status-listing")
public interface ListingConfig {

  /** Answer status checks of a busy instance from one listing; off: one GET per check. */
  @WithDefault("true")
  boolean enabled();

  /** Executions of one instance checked within one listing's life from which a listing pays. */
  @WithDefault("3")
  int minDue();

  /** How long one listing answers checks; also the most a listed status can lag behind AMC. */
  @WithDefault("10S")
  Duration maxAge();

  /** A listing covers executions created this long ago; older ones are read one by one. */
  @WithDefault("6H")
  Duration window();

  /** Pages of 100 read per listing at most; executions beyond them are read one by one. */
  @WithDefault("5")
  int maxPages();
}
