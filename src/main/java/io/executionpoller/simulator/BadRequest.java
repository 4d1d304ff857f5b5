package io.executionpoller.simulator;

/** A request the simulator refuses with 400, thrown while reading parameters or a body. */
final class BadRequest extends RuntimeException {
  BadRequest(String message) {
    super(message, null, false, false);
  }
}
