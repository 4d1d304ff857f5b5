package io.executionpoller.api;

import io.executionpoller.execution.ExecutionStatus;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/** Query parameters as the API accepts them: absent means the default, anything else is checked. */
public final class QueryParams {

  /** AMC ids are short tokens of letters, digits, '.', '-' and '_'; nothing else reaches a URL. */
  private static final Pattern REMOTE_ID = Pattern.compile("[A-Za-z0-9_.-]{1,128}");

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

  /**
   * Statuses from repeated or comma-separated values ({@code status=FAILED,TIMEOUT}); empty when
   * absent; a 400 listing the valid ones for anything else.
   */
  public static Set<ExecutionStatus> statuses(List<String> values) {
    Set<ExecutionStatus> statuses = EnumSet.noneOf(ExecutionStatus.class);
    if (values == null) {
      return statuses;
    }
    for (String value : values) {
      for (String part : value.split(",", -1)) {
        String name = part.strip();
        if (name.isEmpty()) {
          continue;
        }
        try {
          statuses.add(ExecutionStatus.valueOf(name.toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
          throw ApiProblem.badRequest(
              "status must be one of " + Arrays.toString(ExecutionStatus.values()));
        }
      }
    }
    return statuses;
  }

  /** An ISO-8601 instant ({@code 2026-11-24T10:00:00Z}); null when absent; a 400 otherwise. */
  public static Instant instant(String name, String value) {
    if (value == null || value.isEmpty()) {
      return null;
    }
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw ApiProblem.badRequest(
          name + " must be an ISO-8601 instant such as 2026-11-24T10:00:00Z");
    }
  }

  /** A UUID, required: a 400 naming {@code name} otherwise (path ids and body fields). */
  public static UUID uuid(String name, String value) {
    try {
      if (value != null && value.length() == 36) {
        return UUID.fromString(value);
      }
    } catch (IllegalArgumentException e) {
      // Answered below.
    }
    throw ApiProblem.badRequest(name + " must be a UUID");
  }

  /** A UUID filter; null when absent or empty. */
  public static UUID optionalUuid(String name, String value) {
    return value == null || value.isEmpty() ? null : uuid(name, value);
  }

  /** An AMC id (instance, advertiser, marketplace, workflow, execution), required. */
  public static String remoteId(String name, String value) {
    if (value == null || !REMOTE_ID.matcher(value).matches()) {
      throw ApiProblem.badRequest(name + " is required: 1-128 letters, digits, '.', '-' or '_'");
    }
    return value;
  }

  /** An AMC id filter; null when absent or empty. */
  public static String optionalRemoteId(String name, String value) {
    return value == null || value.isEmpty() ? null : remoteId(name, value);
  }
}
