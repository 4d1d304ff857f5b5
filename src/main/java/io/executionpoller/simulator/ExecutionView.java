package io.executionpoller.simulator;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;

/** An execution as AMC's create, status and list answers show it. */
final class ExecutionView {

  private static final DateTimeFormatter AMC_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'");

  private ExecutionView() {}

  static JsonObject of(SimulatedExecution execution, boolean includeWorkflow, Instant now) {
    SimulatedExecution.Submission submission = execution.submission;
    JsonObject view =
        new JsonObject()
            .put("workflowExecutionId", execution.id)
            .put("workflowId", execution.workflowId)
            .put("status", execution.statusAt(now))
            .put("createTime", AMC_TIME.format(execution.createdAt.atOffset(ZoneOffset.UTC)))
            .put(
                "lastUpdatedTime",
                AMC_TIME.format(now.truncatedTo(ChronoUnit.SECONDS).atOffset(ZoneOffset.UTC)))
            .put(
                "expireTime",
                AMC_TIME.format(
                    execution.createdAt.plus(Duration.ofHours(24)).atOffset(ZoneOffset.UTC)))
            .put("workflowExecutionTimeoutSeconds", 21600)
            .put("timeWindowType", submission.timeWindowType())
            .put("timeWindowTimeZoneOriginal", submission.timeWindowTimeZone())
            .put(
                "parameterValues",
                new JsonObject(new LinkedHashMap<>(submission.parameterValues())));
    // As EXEC shows: the bounds as the client gave them, and converted to UTC.
    putWindowBound(view, "timeWindowStart", submission.timeWindowStart(), submission);
    putWindowBound(view, "timeWindowEnd", submission.timeWindowEnd(), submission);
    if (includeWorkflow && submission.sqlQuery() != null) {
      view.put("sqlQuery", submission.sqlQuery())
          .put("workflow", new JsonObject().put("sqlQuery", submission.sqlQuery()));
    }
    String reason = execution.script.reasonFor(execution.id, execution.workflowId);
    if (execution.finishedAt != null && reason != null) {
      view.put("statusReason", reason);
    }
    if ("SUCCEEDED".equals(view.getString("status"))
        && !execution.script.outputChannels().isEmpty()) {
      putOutputChannels(view, execution);
    }
    return view;
  }

  private static void putWindowBound(
      JsonObject view, String field, String local, SimulatedExecution.Submission submission) {
    if (local == null) {
      return;
    }
    view.put(field + "Original", local);
    try {
      Instant utc =
          LocalDateTime.parse(local, RequestReading.REQUEST_TIME)
              .atZone(ZoneId.of(submission.timeWindowTimeZone()))
              .toInstant();
      view.put(field, AMC_TIME.format(utc.atOffset(ZoneOffset.UTC)));
    } catch (DateTimeException e) {
      // Checked on create; preloaded executions carry no window.
    }
  }

  private static void putOutputChannels(JsonObject view, SimulatedExecution execution) {
    JsonArray channels = new JsonArray();
    for (ChannelScript channel : execution.script.outputChannels()) {
      JsonObject shown =
          new JsonObject()
              .put("channel", new JsonObject().put("type", channel.type()))
              .put("status", channel.status());
      if (channel.statusReason() != null) {
        shown.put("statusReason", channel.statusReason());
      }
      channels.add(shown);
      if ("PUBLISH".equals(channel.type())) {
        view.put(
            "outputS3URI",
            "s3://amc-"
                + execution.instanceId
                + "-results/workflow="
                + execution.workflowId
                + "/"
                + execution.id
                + "/");
      }
    }
    view.put("outputChannels", channels);
  }
}
