package io.executionpoller.simulator;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the simulated AMC saw, for tests to read: AMC API calls per operation, execution and
 * advertiser, their arrival times, status requests in flight, and GETs of result files. Time
 * histories keep their last {@value #HISTORY_LIMIT} entries, so a long dev-mode run stays small.
 */
final class CallLog {

  private static final int HISTORY_LIMIT = 10_000;

  private final Clock clock;
  private final Map<String, AtomicInteger> statusCalls = new ConcurrentHashMap<>();
  private final AtomicInteger createCalls = new AtomicInteger();
  private final AtomicInteger listCalls = new AtomicInteger();
  private final AtomicInteger totalApiCalls = new AtomicInteger();
  private final AtomicInteger statusInFlight = new AtomicInteger();
  private final AtomicInteger maxStatusInFlight = new AtomicInteger();
  private final Map<String, Deque<Instant>> statusCallTimes = new ConcurrentHashMap<>();
  private final Map<String, Deque<Instant>> downloadUrlCallTimes = new ConcurrentHashMap<>();
  private final Map<String, Deque<Instant>> s3GetTimes = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> callsByAdvertiser = new ConcurrentHashMap<>();
  private final Map<String, Deque<Long>> callNanosByAdvertiser = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> s3Gets = new ConcurrentHashMap<>();
  private final AtomicInteger s3GetsTotal = new AtomicInteger();

  CallLog(Clock clock) {
    this.clock = clock;
  }

  /** Counts an AMC API call on arrival, before anything can refuse it. */
  void recordArrival(String advertiserId) {
    totalApiCalls.incrementAndGet();
    if (advertiserId != null) {
      callsByAdvertiser.computeIfAbsent(advertiserId, id -> new AtomicInteger()).incrementAndGet();
      append(
          callNanosByAdvertiser.computeIfAbsent(advertiserId, id -> new ArrayDeque<>()),
          System.nanoTime());
    }
  }

  /**
   * Counts a call that got past authorization. TOKEN_EXPIRED answers are not counted here: they are
   * authorization answers, and the client's immediate retry with a fresh token is the real call.
   */
  void recordCall(Operation operation, String key) {
    switch (operation) {
      case CREATE -> createCalls.incrementAndGet();
      case LIST -> listCalls.incrementAndGet();
      case STATUS -> {
        statusCalls.computeIfAbsent(key, id -> new AtomicInteger()).incrementAndGet();
        append(statusCallTimes.computeIfAbsent(key, id -> new ArrayDeque<>()), clock.instant());
      }
      case DOWNLOAD_URLS ->
          append(
              downloadUrlCallTimes.computeIfAbsent(key, id -> new ArrayDeque<>()), clock.instant());
      default -> {
        // Cancel calls are only counted in the totals.
      }
    }
  }

  void recordS3Get(String executionId) {
    s3GetsTotal.incrementAndGet();
    s3Gets.computeIfAbsent(executionId, id -> new AtomicInteger()).incrementAndGet();
    append(s3GetTimes.computeIfAbsent(executionId, id -> new ArrayDeque<>()), clock.instant());
  }

  void statusRequestStarted() {
    int now = statusInFlight.incrementAndGet();
    maxStatusInFlight.accumulateAndGet(now, Math::max);
  }

  void statusRequestEnded() {
    statusInFlight.decrementAndGet();
  }

  int statusCalls(String executionId) {
    AtomicInteger calls = statusCalls.get(executionId);
    return calls == null ? 0 : calls.get();
  }

  Map<String, Integer> statusCallsByExecution() {
    return counts(statusCalls);
  }

  int createCalls() {
    return createCalls.get();
  }

  int listCalls() {
    return listCalls.get();
  }

  int totalApiCalls() {
    return totalApiCalls.get();
  }

  int maxConcurrentStatusRequests() {
    return maxStatusInFlight.get();
  }

  List<Instant> statusCallTimes(String executionId) {
    return snapshot(statusCallTimes.get(executionId));
  }

  List<Instant> downloadUrlCallTimes(String executionId) {
    return snapshot(downloadUrlCallTimes.get(executionId));
  }

  List<Instant> s3GetTimes(String executionId) {
    return snapshot(s3GetTimes.get(executionId));
  }

  Map<String, Integer> callsByAdvertiser() {
    return counts(callsByAdvertiser);
  }

  List<Long> callNanosByAdvertiser(String advertiserId) {
    return snapshot(callNanosByAdvertiser.get(advertiserId));
  }

  int s3Gets(String executionId) {
    AtomicInteger gets = s3Gets.get(executionId);
    return gets == null ? 0 : gets.get();
  }

  int s3GetsTotal() {
    return s3GetsTotal.get();
  }

  void clear() {
    statusCalls.clear();
    createCalls.set(0);
    listCalls.set(0);
    totalApiCalls.set(0);
    statusInFlight.set(0);
    maxStatusInFlight.set(0);
    statusCallTimes.clear();
    downloadUrlCallTimes.clear();
    s3GetTimes.clear();
    callsByAdvertiser.clear();
    callNanosByAdvertiser.clear();
    s3Gets.clear();
    s3GetsTotal.set(0);
  }

  private static Map<String, Integer> counts(Map<String, AtomicInteger> counters) {
    Map<String, Integer> copy = new HashMap<>();
    counters.forEach((key, count) -> copy.put(key, count.get()));
    return copy;
  }

  private static <T> void append(Deque<T> history, T entry) {
    synchronized (history) {
      history.addLast(entry);
      if (history.size() > HISTORY_LIMIT) {
        history.removeFirst();
      }
    }
  }

  private static <T> List<T> snapshot(Deque<T> history) {
    if (history == null) {
      return List.of();
    }
    synchronized (history) {
      return List.copyOf(history);
    }
  }
}
