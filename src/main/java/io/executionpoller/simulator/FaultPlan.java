package io.executionpoller.simulator;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;

/**
 * Which fault, if any, answers each call: scripted faults queued per (operation, key), then random
 * ones drawn from a seeded generator for the chosen operations; and scripted S3 faults per
 * execution for result file GETs. Starts from, and resets to, {@code poller.simulator.faults.*}.
 */
final class FaultPlan {

  private final SimulatorConfig.Faults defaults;
  private final Map<ScriptKey, Deque<Fault>> scripts = new HashMap<>();
  private final Map<String, Deque<S3Fault>> s3Scripts = new HashMap<>();
  private final Map<Fault, AtomicInteger> injected = new ConcurrentHashMap<>();
  private volatile FaultRates rates;
  private volatile Set<Operation> operations;
  private volatile Duration retryAfter;
  private RandomGenerator random;

  /** Scripted faults wait under (operation, key); key "*" matches every call of the operation. */
  private record ScriptKey(Operation operation, String key) {}

  FaultPlan(SimulatorConfig.Faults defaults) {
    this.defaults = defaults;
    reset();
  }

  synchronized void setRates(FaultRates rates) {
    this.rates = rates == null ? FaultRates.none() : rates;
  }

  synchronized void setRates(FaultRates rates, long seed) {
    setRates(rates);
    random = new SplittableRandom(seed);
  }

  FaultRates rates() {
    return rates;
  }

  void setOperations(Set<Operation> operations) {
    this.operations = Set.copyOf(operations);
  }

  Set<Operation> operations() {
    return operations;
  }

  void setRetryAfter(Duration retryAfter) {
    this.retryAfter = retryAfter;
  }

  Duration retryAfter() {
    return retryAfter;
  }

  Duration hangFor() {
    return defaults.hangFor();
  }

  synchronized void script(Operation operation, String key, List<Fault> sequence) {
    scripts
        .computeIfAbsent(new ScriptKey(operation, key), k -> new ArrayDeque<>())
        .addAll(sequence);
  }

  synchronized void scriptS3(String executionIdOrAny, List<S3Fault> sequence) {
    s3Scripts.computeIfAbsent(executionIdOrAny, k -> new ArrayDeque<>()).addAll(sequence);
  }

  /** The fault for this call, if any: its own script, then the "*" script, then a random draw. */
  synchronized Optional<Fault> next(Operation operation, String key) {
    Fault fault = null;
    if (key != null) {
      fault = poll(scripts, new ScriptKey(operation, key));
    }
    if (fault == null) {
      fault = poll(scripts, new ScriptKey(operation, AmcSimulator.ANY));
    }
    if (fault == null && !rates.isNone() && operations.contains(operation)) {
      fault = rates.pick(random.nextDouble());
    }
    if (fault != null) {
      injected.computeIfAbsent(fault, f -> new AtomicInteger()).incrementAndGet();
    }
    return Optional.ofNullable(fault);
  }

  /** The fault for this GET: its execution's script, then the "*" script, else NONE. */
  synchronized S3Fault nextS3(String executionId) {
    S3Fault fault = poll(s3Scripts, executionId);
    if (fault == null) {
      fault = poll(s3Scripts, AmcSimulator.ANY);
    }
    return fault == null ? S3Fault.NONE : fault;
  }

  Map<Fault, Integer> injected() {
    Map<Fault, Integer> copy = new EnumMap<>(Fault.class);
    injected.forEach((fault, count) -> copy.put(fault, count.get()));
    return copy;
  }

  /** Back to the configured rates, operations, seed and Retry-After, with no scripts queued. */
  synchronized void reset() {
    rates = FaultRates.from(defaults);
    random = new SplittableRandom(defaults.seed());
    setOperations(defaults.operations());
    retryAfter = defaults.retryAfter();
    scripts.clear();
    s3Scripts.clear();
  }

  /** {@link #reset()}, and forgets how many faults were answered. */
  void clear() {
    injected.clear();
    reset();
  }

  private static <K, F> F poll(Map<K, Deque<F>> scripts, K key) {
    Deque<F> script = scripts.get(key);
    if (script == null) {
      return null;
    }
    F fault = script.poll();
    if (script.isEmpty()) {
      scripts.remove(key);
    }
    return fault;
  }
}
