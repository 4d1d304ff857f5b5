package io.executionpoller.simulator;

/**
 * Probability per eligible call of each random fault; at most one fault is drawn per call, so the
 * rates must add up to at most 1. TOKEN_EXPIRED, LOST_CREATE and HELD are scripted only.
 */
public record FaultRates(
    double throttleRetryAfter,
    double throttleMessage,
    double throttleCode,
    double error500,
    double error502,
    double error504,
    double hang,
    double reset,
    double malformed,
    double truncated) {

  private static final FaultRates NONE = new FaultRates(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

  public FaultRates {
    double[] all = {
      throttleRetryAfter,
      throttleMessage,
      throttleCode,
      error500,
      error502,
      error504,
      hang,
      reset,
      malformed,
      truncated
    };
    double sum = 0;
    for (double rate : all) {
      if (!(rate >= 0 && rate <= 1)) {
        throw new IllegalArgumentException("fault rates must lie in [0, 1]: " + rate);
      }
      sum += rate;
    }
    // A little slack so that rates like 0.1 * 10 are not refused for rounding.
    if (sum > 1 + 1e-9) {
      throw new IllegalArgumentException("fault rates add up to more than 1: " + sum);
    }
  }

  public static FaultRates none() {
    return NONE;
  }

  /** The rates configured under {@code poller.simulator.faults}. */
  static FaultRates from(SimulatorConfig.Faults faults) {
    return new FaultRates(
        faults.throttleRetryAfter(),
        faults.throttleMessage(),
        faults.throttleCode(),
        faults.error500(),
        faults.error502(),
        faults.error504(),
        faults.hang(),
        faults.reset(),
        faults.malformed(),
        faults.truncated());
  }

  /** Only {@code fault}, at {@code rate}. */
  public static FaultRates only(Fault fault, double rate) {
    double[] rates = new double[10];
    rates[index(fault)] = rate;
    return new FaultRates(
        rates[0], rates[1], rates[2], rates[3], rates[4], rates[5], rates[6], rates[7], rates[8],
        rates[9]);
  }

  /** The rate of {@code fault}; 0 for the scripted-only faults. */
  public double rate(Fault fault) {
    return switch (fault) {
      case THROTTLE_RETRY_AFTER -> throttleRetryAfter;
      case THROTTLE_MESSAGE -> throttleMessage;
      case THROTTLE_CODE -> throttleCode;
      case ERROR_500 -> error500;
      case ERROR_502 -> error502;
      case ERROR_504 -> error504;
      case HANG -> hang;
      case RESET -> reset;
      case MALFORMED -> malformed;
      case TRUNCATED -> truncated;
      case ERROR_500_BINARY, TOKEN_EXPIRED, LOST_CREATE, HELD -> 0;
    };
  }

  public boolean isNone() {
    return total() == 0;
  }

  public double total() {
    return throttleRetryAfter
        + throttleMessage
        + throttleCode
        + error500
        + error502
        + error504
        + hang
        + reset
        + malformed
        + truncated;
  }

  /**
   * The fault a uniform draw {@code u} in [0, 1) falls on, walking the rates in declaration order;
   * null when it falls past them all. One draw per call keeps a seeded sequence reproducible.
   */
  Fault pick(double u) {
    double upper = 0;
    for (Fault fault : Fault.values()) {
      upper += rate(fault);
      if (u < upper) {
        return fault;
      }
    }
    return null;
  }

  private static int index(Fault fault) {
    if (fault == Fault.TOKEN_EXPIRED
        || fault == Fault.LOST_CREATE
        || fault == Fault.ERROR_500_BINARY
        || fault == Fault.HELD) {
      throw new IllegalArgumentException(fault + " can only be scripted");
    }
    // The first ten faults are declared in the order of the record's components.
    return fault.ordinal();
  }
}
