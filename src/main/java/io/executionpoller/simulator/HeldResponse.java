package io.executionpoller.simulator;

/**
 * A response held back: a download by a STALL fault, an AMC call by a HELD fault. Both methods may
 * be called from any thread; the response acts on its own event loop.
 */
interface HeldResponse {

  /** Sends the rest (a held call: takes effect and answers) and ends the response. */
  void resume();

  /** Closes the connection without the rest. */
  void abort();
}
