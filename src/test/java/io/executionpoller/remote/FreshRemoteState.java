package io.executionpoller.remote;

import io.executionpoller.remote.guard.AdjustableGuardConfig;
import io.executionpoller.remote.guard.RemoteGate;
import io.quarkus.arc.Arc;
import io.quarkus.arc.InjectableBean;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Starts the remote side's state over between tests through the container, not through hooks on the
 * beans: destroying an application-scoped bean makes the next call build a new one from
 * configuration. Nothing injected goes stale, since injection points hold client proxies.
 */
public final class FreshRemoteState {

  private FreshRemoteState() {}

  /** Closed breakers, full buckets at the configured rate, no cached token, no credential pause. */
  public static void startOver() {
    freshGate();
    forgetCredentials();
  }

  /** Closed breakers, full buckets at the configured rate; the credentials stay as they are. */
  public static void freshGate() {
    Arc.container().instance(AdjustableGuardConfig.class).get().restore();
    destroy(RemoteGate.class);
  }

  /**
   * Closed breakers and every account limited to {@code perSecond} with {@code burst}, until the
   * next {@link #freshGate()} or {@link #startOver()}.
   */
  public static void gateLimitingEveryAccount(double perSecond, int burst) {
    Arc.container().instance(AdjustableGuardConfig.class).get().limitEveryAccount(perSecond, burst);
    destroy(RemoteGate.class);
  }

  /** No cached access token and no credential pause: the next call goes to the token endpoint. */
  public static void forgetCredentials() {
    destroy(AccessTokenProvider.class);
  }

  private static void destroy(Class<?> type) {
    InjectableBean<?> bean = Arc.container().instance(type).getBean();
    Arc.container().getActiveContext(ApplicationScoped.class).destroy(bean);
  }
}
