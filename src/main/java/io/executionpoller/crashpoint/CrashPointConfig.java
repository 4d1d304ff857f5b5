package io.executionpoller.crashpoint;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithParentName;
import java.util.Optional;

/** Test only: where the process tests stop the daemon. Never set in production. */
@ConfigMapping(prefix = "poller.crash-point")
public interface CrashPointConfig {

  /** The point at which this process announces itself and freezes; unset (the default): none. */
  @WithParentName
  Optional<CrashPoint> point();
}
