package io.executionpoller.poll;

import java.util.concurrent.atomic.AtomicInteger;

/** What one cycle did so far, counted from concurrent callbacks; ends as its CycleReport. */
final class CycleTally {

  private final AtomicInteger claimed = new AtomicInteger();
  private final AtomicInteger unchanged = new AtomicInteger();
  private final AtomicInteger updated = new AtomicInteger();
  private final AtomicInteger transitions = new AtomicInteger();
  private final AtomicInteger failedChecks = new AtomicInteger();
  private final AtomicInteger lostWrites = new AtomicInteger();
  private final AtomicInteger deferred = new AtomicInteger();
  private final AtomicInteger resubmitted = new AtomicInteger();

  void recordClaimed(int count) {
    claimed.addAndGet(count);
  }

  void recordRescheduled(int attempted, int written) {
    unchanged.addAndGet(written);
    lostWrites.addAndGet(attempted - written);
  }

  void recordDeferred(int attempted, int written) {
    deferred.addAndGet(written);
    lostWrites.addAndGet(attempted - written);
  }

  void recordResubmit(boolean applied) {
    (applied ? resubmitted : lostWrites).incrementAndGet();
  }

  void recordUpdate(WritePlan.Update update, boolean applied) {
    if (!applied) {
      lostWrites.incrementAndGet();
      return;
    }
    updated.incrementAndGet();
    transitions.addAndGet((int) update.transitions());
    if (update.errors().lastErrorAt() != null) {
      failedChecks.incrementAndGet();
    }
  }

  CycleReport report() {
    return new CycleReport(
        claimed.get(),
        unchanged.get(),
        updated.get(),
        transitions.get(),
        failedChecks.get(),
        lostWrites.get(),
        deferred.get(),
        resubmitted.get());
  }
}
