package io.executionpoller.remote.guard;

import io.smallrye.config.SmallRyeConfig;
import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Singleton;
import java.time.Duration;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The guard settings in tests: the configuration as written, except that a test may limit every
 * account to another rate for a while. It stands in for the configuration mapping (a test-scope
 * alternative), so production code has no setter for it. A gate builds its buckets from the limit
 * it reads, so a changed limit holds for a gate built afresh (FreshRemoteState).
 */
@Alternative
@Priority(1)
@Singleton
public class AdjustableGuardConfig implements GuardConfig {

  private final GuardConfig configured =
      ConfigProvider.getConfig().unwrap(SmallRyeConfig.class).getConfigMapping(GuardConfig.class);

  private volatile RateLimit rateLimit;

  /** Every account limited to {@code perSecond} with {@code burst}, until {@link #restore()}. */
  public void limitEveryAccount(double perSecond, int burst) {
    Duration maxWait = configured.rateLimit().maxWait();
    rateLimit =
        new RateLimit() {
          @Override
          public boolean enabled() {
            return true;
          }

          @Override
          public double requestsPerSecond() {
            return perSecond;
          }

          @Override
          public int burst() {
            return burst;
          }

          @Override
          public Duration maxWait() {
            return maxWait;
          }
        };
  }

  /** Back to the configured limit. */
  public void restore() {
    rateLimit = null;
  }

  @Override
  public Breaker breaker() {
    return configured.breaker();
  }

  @Override
  public RateLimit rateLimit() {
    RateLimit adjusted = rateLimit;
    return adjusted != null ? adjusted : configured.rateLimit();
  }

  @Override
  public Credentials credentials() {
    return configured.credentials();
  }
}
