package io.executionpoller.simulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Exchanges the simulator holds open on purpose: AMC calls that HANG (closed on release) or are
 * HELD (answered or dropped on release), and result downloads that STALL before their end. Each is
 * registered while held, so a test can count and release them and a reset can close them all.
 */
final class HeldConnections {

  private final Set<Runnable> hangs = ConcurrentHashMap.newKeySet();
  private final Set<HeldResponse> stalls = ConcurrentHashMap.newKeySet();
  private final Set<HeldResponse> heldCalls = ConcurrentHashMap.newKeySet();

  /** Keeps {@code release} (it closes the connection) until the hanging request ends. */
  void hangStarted(Runnable release) {
    hangs.add(release);
  }

  void hangEnded(Runnable release) {
    hangs.remove(release);
  }

  void stallStarted(HeldResponse response) {
    stalls.add(response);
  }

  void stallEnded(HeldResponse response) {
    stalls.remove(response);
  }

  void heldStarted(HeldResponse call) {
    heldCalls.add(call);
  }

  void heldEnded(HeldResponse call) {
    heldCalls.remove(call);
  }

  int hanging() {
    return hangs.size();
  }

  int stalled() {
    return stalls.size();
  }

  int held() {
    return heldCalls.size();
  }

  /** Lets every stalled download send its rest and end. */
  void releaseStalls() {
    take(stalls).forEach(HeldResponse::resume);
  }

  /** Lets every held call through: each takes effect now and is answered. */
  void releaseHeldCalls() {
    take(heldCalls).forEach(HeldResponse::resume);
  }

  /** Closes every held exchange without an answer. */
  void closeAll() {
    List<Runnable> hanging = new ArrayList<>(hangs);
    hangs.clear();
    hanging.forEach(Runnable::run);
    take(stalls).forEach(HeldResponse::abort);
    take(heldCalls).forEach(HeldResponse::abort);
  }

  private static List<HeldResponse> take(Set<HeldResponse> responses) {
    List<HeldResponse> taken = new ArrayList<>(responses);
    responses.removeAll(taken);
    return taken;
  }
}
