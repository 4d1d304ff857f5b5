package io.executionpoller.remote;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Lenient reader of AMC bodies. The spec wraps executions in {@code workflowExecution}; the real
 * API answers flat; both are accepted and unknown fields are ignored. A body without an id or a
 * status is malformed: an unreadable answer is reported, never guessed.
 */
public final class RemoteExecutionParser {

  private static final ObjectMapper JSON = new ObjectMapper();

  private RemoteExecutionParser() {}

  /** Thrown for a body that cannot be read as an execution; the message names what is missing. */
  public static final class MalformedBodyException extends RuntimeException {
    public MalformedBodyException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  public static RemoteExecution parseExecution(String body) {
    return toExecution(unwrap(readTree(body)));
  }

  /**
   * A list answer: {"executions":[...], "nextToken": ...}, each item flat or wrapped, with what
   * created it. An answer without an executions array is malformed, not empty: the caller decides
   * from it whether to create an execution, and "none found" must never come from a broken body.
   */
  public static ExecutionPage parseExecutionPage(String body) {
    JsonNode root = readTree(body);
    JsonNode executions = root.path("executions");
    if (!executions.isArray()) {
      throw new MalformedBodyException("executions missing from the list answer", null);
    }
    List<ListedExecution> listed = new ArrayList<>();
    for (JsonNode item : executions) {
      JsonNode node = unwrap(item);
      String sqlQuery = text(node, "sqlQuery");
      if (sqlQuery == null) {
        sqlQuery = text(node.path("workflow"), "sqlQuery");
      }
      Map<String, String> parameters = new HashMap<>();
      node.path("parameterValues")
          .fields()
          .forEachRemaining(field -> parameters.put(field.getKey(), field.getValue().asText()));
      listed.add(
          new ListedExecution(
              toExecution(node),
              sqlQuery,
              parameters,
              text(node, "timeWindowType"),
              firstText(node, "timeWindowStartOriginal", "timeWindowStart"),
              firstText(node, "timeWindowEndOriginal", "timeWindowEnd")));
    }
    return new ExecutionPage(listed, text(root, "nextToken"));
  }

  private static String firstText(JsonNode node, String first, String second) {
    String value = text(node, first);
    return value != null ? value : text(node, second);
  }

  public static DownloadUrls parseDownloadUrls(String body) {
    JsonNode root = readTree(body);
    if (!root.path("downloadUrls").isArray()) {
      throw new MalformedBodyException("downloadUrls missing from the answer", null);
    }
    return new DownloadUrls(
        strings(root.path("downloadUrls")),
        strings(root.path("metadataDownloadUrls")),
        text(root, "nextToken"));
  }

  private static JsonNode readTree(String body) {
    if (body == null || body.isBlank()) {
      throw new MalformedBodyException("empty body", null);
    }
    try {
      JsonNode node = JSON.readTree(body);
      if (node == null || !node.isObject()) {
        throw new MalformedBodyException("body is not a JSON object", null);
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new MalformedBodyException(
          "body is not valid JSON at line "
              + e.getLocation().getLineNr()
              + ", column "
              + e.getLocation().getColumnNr(),
          null);
    }
  }

  private static JsonNode unwrap(JsonNode node) {
    JsonNode wrapped = node.path("workflowExecution");
    return wrapped.isObject() ? wrapped : node;
  }

  private static RemoteExecution toExecution(JsonNode node) {
    String id = text(node, "workflowExecutionId");
    String status = text(node, "status");
    if (id == null || status == null) {
      throw new MalformedBodyException(
          "execution body lacks " + (id == null ? "workflowExecutionId" : "status"), null);
    }
    String reason = text(node, "statusReason");
    return new RemoteExecution(
        id,
        text(node, "workflowId"),
        status,
        reason != null ? reason : text(node, "failureReason"),
        instant(node, "createTime"),
        instant(node, "lastUpdatedTime"),
        instant(node, "expireTime"),
        node.path("workflowExecutionTimeoutSeconds").isNumber()
            ? node.path("workflowExecutionTimeoutSeconds").asInt()
            : null,
        outputChannels(node.path("outputChannels")),
        text(node, "outputS3URI"));
  }

  /** Each {@code {channel:{type}, status, statusReason}}; an entry without a type is skipped. */
  private static List<OutputChannel> outputChannels(JsonNode channels) {
    List<OutputChannel> found = new ArrayList<>();
    for (JsonNode channel : channels) {
      String type = text(channel.path("channel"), "type");
      if (type != null) {
        found.add(new OutputChannel(type, text(channel, "status"), text(channel, "statusReason")));
      }
    }
    return found;
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.path(field);
    // PostgreSQL text cannot hold NUL: one in a statusReason would make every write of the
    // execution fail. Mark it visibly instead of dropping the answer.
    return value.isTextual() && !value.asText().isBlank()
        ? value.asText().replace('\u0000', '\uFFFD')
        : null;
  }

  private static Instant instant(JsonNode node, String field) {
    String value = text(node, field);
    if (value == null) {
      return null;
    }
    try {
      return OffsetDateTime.parse(value).toInstant();
    } catch (DateTimeParseException withoutOffset) {
      try {
        // AMC writes some times without an offset; they are UTC.
        return LocalDateTime.parse(value).toInstant(ZoneOffset.UTC);
      } catch (DateTimeParseException e) {
        return null;
      }
    }
  }

  private static List<String> strings(JsonNode array) {
    List<String> values = new ArrayList<>();
    if (array.isArray()) {
      array.forEach(item -> values.add(item.asText()));
    }
    return values;
  }
}
