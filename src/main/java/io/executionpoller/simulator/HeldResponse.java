package io.executionpoller.simulator;

/**
 * A download held back by a STALL fault. Both methods may be called from any thread; the response
 * acts on its own event loop.
 */
interface HeldResponse {

  /** Sends the rest and ends the response. */
  void resume();

  /** Closes the connection without the rest. */
  void abort();
}
