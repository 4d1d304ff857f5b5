package io.executionpoller.dashboard;

import io.executionpoller.api.ApiProblem;
import io.executionpoller.api.ExecutionFilter;
import io.executionpoller.api.QueryParams;
import io.executionpoller.execution.ExecutionStatus;
import io.executionpoller.failure.ErrorType;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The list's filters as they stand in its URL, so a view can be shared: statuses, workflow (name,
 * AMC workflow id or our UUID), AMC instance, advertiser, error type and a registration time range,
 * plus the page size. Parsed and checked here, printed back in one fixed order.
 *
 * @param from registered after this (a UTC date, a UTC date and time, or an instant), as written
 * @param to registered before this; a date alone means up to the end of that day (UTC)
 */
public record ListQuery(
    Set<ExecutionStatus> statuses,
    String workflow,
    String instance,
    String advertiser,
    String errorType,
    String from,
    String to,
    int limit) {

  static final int MAX_WORKFLOW_CHARS = 200;

  private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");

  /** The reader's query parameters, checked; a 400 names the first one that is wrong. */
  public static ListQuery parse(
      List<String> status,
      String workflow,
      String instance,
      String advertiser,
      String errorType,
      String from,
      String to,
      String limit,
      int maxLimit) {
    ListQuery query =
        new ListQuery(
            QueryParams.statuses(status),
            workflow(blankToNull(workflow)),
            QueryParams.optionalRemoteId("instance", blankToNull(instance)),
            QueryParams.optionalRemoteId("advertiser", blankToNull(advertiser)),
            errorType(blankToNull(errorType)),
            blankToNull(from),
            blankToNull(to),
            (int) QueryParams.wholeNumber("limit", limit, 0, 1, maxLimit));
    query.filter();
    return query;
  }

  /** What the queries select: a UUID names one workflow, any other text its name or AMC id. */
  public ExecutionFilter filter() {
    UUID workflowId = workflow != null && isUuid(workflow) ? UUID.fromString(workflow) : null;
    return new ExecutionFilter(
        statuses,
        workflowId,
        workflowId == null ? workflow : null,
        instance,
        advertiser,
        errorType,
        time("from", from, false),
        time("to", to, true));
  }

  /** Whether anything narrows the list besides the statuses. */
  boolean narrowed() {
    return workflow != null
        || instance != null
        || advertiser != null
        || errorType != null
        || from != null
        || to != null;
  }

  ListQuery withStatuses(Set<ExecutionStatus> chosen) {
    return new ListQuery(chosen, workflow, instance, advertiser, errorType, from, to, limit);
  }

  /** The list with these filters, starting after {@code cursor}; parameters in a fixed order. */
  String url(String cursor) {
    List<String> query = new ArrayList<>();
    if (!statuses.isEmpty()) {
      query.add(
          "status="
              + Arrays.stream(ExecutionStatus.values())
                  .filter(statuses::contains)
                  .map(Enum::name)
                  .collect(Collectors.joining(",")));
    }
    add(query, "workflow", workflow);
    add(query, "instance", instance);
    add(query, "advertiser", advertiser);
    add(query, "errorType", errorType);
    add(query, "from", from);
    add(query, "to", to);
    if (limit > 0) {
      query.add("limit=" + limit);
    }
    add(query, "cursor", cursor);
    return query.isEmpty() ? "/" : "/?" + String.join("&", query);
  }

  private static void add(List<String> query, String name, String value) {
    if (value != null) {
      query.add(name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8));
    }
  }

  /**
   * A time of the range: an instant, a UTC date and time ({@code 2026-11-24T10:00}) or a UTC date;
   * a date as the end of the range counts its whole day.
   */
  static Instant time(String name, String value, boolean end) {
    if (value == null) {
      return null;
    }
    try {
      if (DATE.matcher(value).matches()) {
        LocalDate day = LocalDate.parse(value);
        return (end ? day.plusDays(1) : day).atStartOfDay(ZoneOffset.UTC).toInstant();
      }
      if (value.endsWith("Z") || value.matches(".*[+-]\\d{2}:\\d{2}$")) {
        return OffsetDateTime.parse(value).toInstant();
      }
      return LocalDateTime.parse(value).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      throw ApiProblem.badRequest(
          name
              + " must be a UTC date (2026-11-24), a UTC date and time (2026-11-24T10:00) or an"
              + " instant (2026-11-24T10:00:00Z)");
    }
  }

  private static String workflow(String value) {
    if (value != null && value.length() > MAX_WORKFLOW_CHARS) {
      throw ApiProblem.badRequest(
          "workflow must be a name, an AMC workflow id or a UUID of at most "
              + MAX_WORKFLOW_CHARS
              + " characters");
    }
    return value;
  }

  private static String errorType(String value) {
    if (value == null) {
      return null;
    }
    try {
      return ErrorType.valueOf(value.toUpperCase(Locale.ROOT)).name();
    } catch (IllegalArgumentException e) {
      throw ApiProblem.badRequest(
          "errorType must be one of " + Arrays.toString(ErrorType.values()));
    }
  }

  private static boolean isUuid(String value) {
    try {
      return value.length() == 36 && UUID.fromString(value) != null;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.strip();
  }
}
