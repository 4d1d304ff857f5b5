package io.executionpoller.api;

/** Query parameters as the API accepts them: absent means the default, anything else is checked. */
public final class QueryParams {

  private QueryParams() {}

  /**
   * A whole number from {@code min} to {@code max}; {@code fallback} when absent or empty; a 400
   * naming the parameter and its range otherwise (letters, decimals, overflow, out of range).
   */
  public static long wholeNumber(String name, String value, long fallback, long min, long max) {
    if (value == null || value.isEmpty()) {
      return fallback;
    }
    try {
      long parsed = Long.parseLong(value);
      if (parsed >= min && parsed <= max) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // Answered below like an out-of-range number.
    }
    throw ApiProblem.badRequest(name + " must be a whole number from " + min + " to " + max);
  }
}
