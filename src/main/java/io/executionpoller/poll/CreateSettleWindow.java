package io.executionpoller.poll;

import io.executionpoller.remote.AmcConfig;
import java.time.Duration;

/**
 * How long after its attempt ({@code submit_attempted_at}) a create that went unanswered is left
 * alone. AMC's create has no idempotency key, so until then its answer may still come, or the run
 * it made may not show in a listing yet, and creating again or cancelling could leave a second run
 * going. A create is sent within its check's deadline (a retry with a fresh token included) and
 * each send within the request timeout, so the longer of the two bounds the sending; the listing
 * margin covers a run that AMC made but does not list yet. The loop's release of such a row and an
 * operator's cancel both wait for this one window.
 */
public final class CreateSettleWindow {

  private CreateSettleWindow() {}

  /** The window for these settings. */
  public static Duration of(AmcConfig amc, PollConfig poll) {
    Duration sending =
        amc.requestTimeout().compareTo(poll.checkDeadline()) >= 0
            ? amc.requestTimeout()
            : poll.checkDeadline();
    return sending.plus(amc.listingMargin());
  }
}
