package io.executionpoller.simulator;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;

/** Reads query parameters and body fields as AMC checks them; throws {@link BadRequest}. */
final class RequestReading {

  /** Local date-times in requests: time window bounds and creation time filters. */
  static final DateTimeFormatter REQUEST_TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss").withResolverStyle(ResolverStyle.STRICT);

  /** Most executions one list page holds, and the default page size. */
  static final int MAX_PAGE = 100;

  private RequestReading() {}

  /** A query parameter; null when absent or empty. */
  static String param(RoutingContext ctx, String name) {
    String value = ctx.queryParams().get(name);
    return value == null || value.isEmpty() ? null : value;
  }

  static boolean bool(RoutingContext ctx, String name, boolean fallback) {
    String value = param(ctx, name);
    if (value == null) {
      return fallback;
    }
    if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
      return Boolean.parseBoolean(value);
    }
    throw new BadRequest(name + " must be true or false");
  }

  static int limit(RoutingContext ctx) {
    String value = param(ctx, "limit");
    if (value == null) {
      return MAX_PAGE;
    }
    try {
      int limit = Integer.parseInt(value);
      if (limit >= 1 && limit <= MAX_PAGE) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // Refused below like an out-of-range number.
    }
    throw new BadRequest("limit must be a number from 1 to " + MAX_PAGE);
  }

  static Instant creationTime(RoutingContext ctx, String name, ZoneId zone) {
    String value = param(ctx, name);
    return value == null ? null : localTime(value, name).atZone(zone).toInstant();
  }

  static LocalDateTime localTime(String value, String name) {
    try {
      return LocalDateTime.parse(value, REQUEST_TIME);
    } catch (DateTimeParseException e) {
      throw new BadRequest(name + " must be yyyy-MM-dd'T'HH:mm:ss");
    }
  }

  static ZoneId zone(String value, String name) {
    try {
      return ZoneId.of(value);
    } catch (DateTimeException e) {
      throw new BadRequest(name + " is not a time zone: " + value);
    }
  }

  /** A string field of a JSON body; null when absent. */
  static String string(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (value != null && !(value instanceof String)) {
      throw new BadRequest(field + " must be a string");
    }
    return (String) value;
  }

  /** The request body as a JSON object; null when it is none. */
  static JsonObject jsonBody(RoutingContext ctx) {
    try {
      return ctx.body().asJsonObject();
    } catch (RuntimeException e) {
      return null;
    }
  }
}
