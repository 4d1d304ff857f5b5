package io.executionpoller.notify;

import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The callbackUrl of one execution: a subscription to every event kind of that execution alone,
 * written in the registration's transaction, with a secret of its own that the registration's
 * answer shows once.
 */
@Singleton
public class ExecutionCallbacks {

  /** The answer header of POST /api/v1/executions that carries the callback's secret. */
  public static final String SECRET_HEADER = "Callback-Secret";

  private static final List<String> EVERY_KIND =
      Arrays.stream(WebhookEvent.values()).map(WebhookEvent::wireName).toList();

  private final WebhookTargets targets;
  private final SubscriptionStore subscriptions;

  ExecutionCallbacks(WebhookTargets targets, SubscriptionStore subscriptions) {
    this.targets = targets;
    this.subscriptions = subscriptions;
  }

  /** Why {@code url} may not be a callback, or empty when it may. */
  public Optional<String> refusal(String url) {
    return targets.refusal(url);
  }

  /**
   * Subscribes {@code url} to the execution's events, in the caller's transaction; the new secret,
   * or a null item when there is no callback.
   */
  public Uni<String> register(UUID execution, String url, Instant now) {
    if (url == null) {
      return Uni.createFrom().nullItem();
    }
    String secret = WebhookSignature.newSecret();
    SubscriptionRequest callback =
        new SubscriptionRequest(url, EVERY_KIND, null, null, true, "callbackUrl of " + execution);
    return subscriptions
        .create(UUID.randomUUID(), callback, execution, secret, now)
        .replaceWith(secret);
  }
}
