package io.executionpoller.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.executionpoller.remote.RemoteExecutionParser.MalformedBodyException;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RemoteExecutionParserTest {

  /** The ad hoc create answer from AMC's documentation: flat, not wrapped. */
  private static final String AD_HOC_CREATED =
      """
      {"createTime":"2023-08-16T04:12:53Z","dataGaps":[],"disableAggregationControls":false,\
      "executionCategory":"AD_HOC","expireTime":"2023-08-17T04:12:53Z","ignoreDataGaps":false,\
      "lastUpdatedTime":"2023-08-16T04:12:53Z","parameterValues":{},"status":"PENDING",\
      "timeWindowTimeZoneOriginal":"UTC","waitUntil":"2023-08-16T03:12:53Z",\
      "workflowExecutionId":"a111111c-111f-1111-b1f1-11d111f1c1d1",\
      "workflowExecutionTimeoutSeconds":21600,\
      "workflowId":"transient_c3393afa-5996-4e0e-829e-5da4718eb9e3"}
      """;

  private static final RemoteExecution AD_HOC_PENDING =
      new RemoteExecution(
          "a111111c-111f-1111-b1f1-11d111f1c1d1",
          "transient_c3393afa-5996-4e0e-829e-5da4718eb9e3",
          "PENDING",
          null,
          Instant.parse("2023-08-16T04:12:53Z"),
          Instant.parse("2023-08-16T04:12:53Z"),
          Instant.parse("2023-08-17T04:12:53Z"),
          21600);

  // ---------------------------------------------------------------------------------------------
  // parseExecution

  @Test
  void shouldReadTheFlatAdHocCreateAnswerFromTheDocs() {
    assertThat(RemoteExecutionParser.parseExecution(AD_HOC_CREATED)).isEqualTo(AD_HOC_PENDING);
  }

  @Test
  void shouldReadTheSameExecutionWrappedInWorkflowExecution() {
    String wrapped = "{\"workflowExecution\": " + AD_HOC_CREATED.strip() + "}";

    assertThat(RemoteExecutionParser.parseExecution(wrapped)).isEqualTo(AD_HOC_PENDING);
  }

  @Test
  void shouldReadAPrettyPrintedWrappedExecution() {
    String body =
        """
        {
          "workflowExecution": {
            "workflowExecutionId": "b222222d-222a-2222-c2a2-22e222a2d2e2",
            "workflowId": "weekly_reach_report",
            "status": "RUNNING",
            "createTime": "2024-03-04T10:00:00Z",
            "lastUpdatedTime": "2024-03-04T10:05:17Z",
            "expireTime": "2024-03-05T10:00:00Z",
            "workflowExecutionTimeoutSeconds": 3600,
            "timeWindowStart": "2024-02-26T00:00:00",
            "timeWindowEnd": "2024-03-04T00:00:00",
            "timeWindowType": "EXPLICIT"
          }
        }
        """;

    assertThat(RemoteExecutionParser.parseExecution(body))
        .isEqualTo(
            new RemoteExecution(
                "b222222d-222a-2222-c2a2-22e222a2d2e2",
                "weekly_reach_report",
                "RUNNING",
                null,
                Instant.parse("2024-03-04T10:00:00Z"),
                Instant.parse("2024-03-04T10:05:17Z"),
                Instant.parse("2024-03-05T10:00:00Z"),
                3600));
  }

  @Test
  void shouldReadTheOutputChannelsAndThePublishedLocation() {
    String body =
        """
        {"workflowExecutionId":"d444","workflowId":"wf","status":"SUCCEEDED",\
        "outputS3URI":"s3://amc-bucket/workflow=wf/d444/",\
        "outputChannels":[\
        {"channel":{"type":"DOWNLOAD"},"status":"UNAVAILABLE","statusReason":"S3 only"},\
        {"channel":{"type":"PUBLISH"},"status":"AVAILABLE"},\
        {"status":"AVAILABLE"}]}
        """;

    RemoteExecution execution = RemoteExecutionParser.parseExecution(body);

    assertThat(execution.outputChannels())
        .containsExactly(
            new OutputChannel("DOWNLOAD", "UNAVAILABLE", "S3 only"),
            new OutputChannel("PUBLISH", "AVAILABLE", null));
    assertThat(execution.outputS3Uri()).isEqualTo("s3://amc-bucket/workflow=wf/d444/");
  }

  @Test
  void shouldReadAnExecutionWithoutOutputChannelsAsHavingNone() {
    RemoteExecution execution =
        RemoteExecutionParser.parseExecution(
            "{\"workflowExecutionId\":\"e5\",\"status\":\"RUNNING\"}");

    assertThat(execution.outputChannels()).isEmpty();
    assertThat(execution.outputS3Uri()).isNull();
  }

  @Test
  void shouldKeepTheStatusReasonOfAFailedExecution() {
    String body =
        """
        {"workflowExecutionId":"c333333e-333b-3333-d3b3-33f333b3e3f3",\
        "workflowId":"transient_0d6e3c3a-8f0e-4b8e-9b1c-2f4e5a6b7c8d",\
        "status":"FAILED",\
        "statusReason":"line 3:8: Column 'impresions' cannot be resolved",\
        "createTime":"2023-08-16T04:12:53Z","lastUpdatedTime":"2023-08-16T04:14:02Z",\
        "expireTime":"2023-08-17T04:12:53Z","workflowExecutionTimeoutSeconds":21600}
        """;

    RemoteExecution execution = RemoteExecutionParser.parseExecution(body);

    assertThat(execution.status()).isEqualTo("FAILED");
    assertThat(execution.statusReason())
        .isEqualTo("line 3:8: Column 'impresions' cannot be resolved");
    assertThat(execution.lastUpdatedTime()).isEqualTo(Instant.parse("2023-08-16T04:14:02Z"));
  }

  @Test
  void shouldFallBackToFailureReasonWhenThereIsNoStatusReason() {
    String body =
        """
        {"workflowExecutionId":"x1","status":"REJECTED",\
        "failureReason":"Terms and conditions must be accepted to continue"}
        """;

    assertThat(RemoteExecutionParser.parseExecution(body).statusReason())
        .isEqualTo("Terms and conditions must be accepted to continue");
  }

  @Test
  void shouldPreferStatusReasonOverFailureReason() {
    String body =
        """
        {"workflowExecutionId":"x1","status":"FAILED",\
        "statusReason":"Internal server error","failureReason":"ignored"}
        """;

    assertThat(RemoteExecutionParser.parseExecution(body).statusReason())
        .isEqualTo("Internal server error");
  }

  @Test
  void shouldIgnoreUnknownFieldsAndKeepAnUnknownStatusVerbatim() {
    String body =
        """
        {"workflowExecutionId":"d444444f-444c-4444-e4c4-44a444c4f4a4",\
        "workflowId":"transient_1","status":"ARCHIVED",\
        "archivedBy":{"principal":"amc-retention","reason":"retention"},\
        "outputS3URI":"s3://amc-results/amcinst01/d444444f/",\
        "someFutureFlag":true,"tags":["a","b"],"rowCount":123456789012,\
        "createTime":"2023-08-16T04:12:53Z"}
        """;

    RemoteExecution execution = RemoteExecutionParser.parseExecution(body);

    assertThat(execution.workflowExecutionId()).isEqualTo("d444444f-444c-4444-e4c4-44a444c4f4a4");
    assertThat(execution.status()).isEqualTo("ARCHIVED");
    assertThat(execution.createTime()).isEqualTo(Instant.parse("2023-08-16T04:12:53Z"));
    assertThat(execution.lastUpdatedTime()).isNull();
    assertThat(execution.expireTime()).isNull();
    assertThat(execution.timeoutSeconds()).isNull();
  }

  @Test
  void shouldKeepTheCaseOfTheStatusAsSent() {
    String body = "{\"workflowExecutionId\":\"x1\",\"status\":\"succeeded\"}";

    assertThat(RemoteExecutionParser.parseExecution(body).status()).isEqualTo("succeeded");
  }

  @Test
  void shouldLeaveOptionalFieldsNullWhenOnlyIdAndStatusAreSent() {
    assertThat(
            RemoteExecutionParser.parseExecution(
                "{\"workflowExecutionId\":\"x1\",\"status\":\"PENDING\"}"))
        .isEqualTo(new RemoteExecution("x1", null, "PENDING", null, null, null, null, null));
  }

  static Stream<Arguments> unreadableTimes() {
    return Stream.of(
        Arguments.of("\"not a time\""),
        Arguments.of("\"2023-13-45T99:99:99Z\""),
        Arguments.of("\"16/08/2023 04:12:53\""),
        Arguments.of("\"2023-08-16 04:12:53\""),
        Arguments.of("\"\""),
        Arguments.of("\"   \""),
        Arguments.of("1692159173"),
        Arguments.of("null"),
        Arguments.of("{\"epochSecond\":1692159173}"),
        Arguments.of("[\"2023-08-16T04:12:53Z\"]"));
  }

  @ParameterizedTest(name = "time {0} -> null")
  @MethodSource("unreadableTimes")
  void shouldReadAnUnreadableTimeAsNull(String json) {
    String body =
        "{\"workflowExecutionId\":\"x1\",\"status\":\"RUNNING\",\"createTime\":"
            + json
            + ",\"lastUpdatedTime\":"
            + json
            + ",\"expireTime\":"
            + json
            + "}";

    RemoteExecution execution = RemoteExecutionParser.parseExecution(body);

    assertThat(execution.createTime()).isNull();
    assertThat(execution.lastUpdatedTime()).isNull();
    assertThat(execution.expireTime()).isNull();
    assertThat(execution.workflowExecutionId()).isEqualTo("x1");
    assertThat(execution.status()).isEqualTo("RUNNING");
  }

  static Stream<Arguments> readableTimes() {
    return Stream.of(
        Arguments.of("2023-08-16T04:12:53Z", "2023-08-16T04:12:53Z"),
        Arguments.of("2023-08-16T04:12:53.123Z", "2023-08-16T04:12:53.123Z"),
        // AMC's local-looking times (no zone) are read as UTC.
        Arguments.of("2023-08-16T04:12:53", "2023-08-16T04:12:53Z"),
        Arguments.of("2023-08-16T06:12:53+02:00", "2023-08-16T04:12:53Z"));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("readableTimes")
  void shouldReadIsoTimesWithOrWithoutAZone(String sent, String expected) {
    String body =
        "{\"workflowExecutionId\":\"x1\",\"status\":\"RUNNING\",\"createTime\":\"" + sent + "\"}";

    assertThat(RemoteExecutionParser.parseExecution(body).createTime())
        .isEqualTo(Instant.parse(expected));
  }

  @Test
  void shouldReadANonNumericTimeoutAsNull() {
    String body =
        "{\"workflowExecutionId\":\"x1\",\"status\":\"RUNNING\","
            + "\"workflowExecutionTimeoutSeconds\":\"21600\"}";

    assertThat(RemoteExecutionParser.parseExecution(body).timeoutSeconds()).isNull();
  }

  static Stream<Arguments> bodiesWithoutIdOrStatus() {
    return Stream.of(
        Arguments.of(
            "no id",
            "{\"status\":\"PENDING\",\"workflowId\":\"transient_1\"}",
            "workflowExecutionId"),
        Arguments.of(
            "blank id",
            "{\"workflowExecutionId\":\"\",\"status\":\"PENDING\"}",
            "workflowExecutionId"),
        Arguments.of(
            "numeric id",
            "{\"workflowExecutionId\":42,\"status\":\"PENDING\"}",
            "workflowExecutionId"),
        Arguments.of(
            "null id",
            "{\"workflowExecutionId\":null,\"status\":\"PENDING\"}",
            "workflowExecutionId"),
        Arguments.of("no status", "{\"workflowExecutionId\":\"x1\"}", "status"),
        Arguments.of(
            "blank status", "{\"workflowExecutionId\":\"x1\",\"status\":\"  \"}", "status"),
        Arguments.of("null status", "{\"workflowExecutionId\":\"x1\",\"status\":null}", "status"),
        Arguments.of(
            "object status",
            "{\"workflowExecutionId\":\"x1\",\"status\":{\"code\":\"RUNNING\"}}",
            "status"),
        Arguments.of(
            "wrapped without status",
            "{\"workflowExecution\":{\"workflowExecutionId\":\"x1\"}}",
            "status"),
        Arguments.of(
            "wrapped without id",
            "{\"workflowExecution\":{\"status\":\"RUNNING\"}}",
            "workflowExecutionId"),
        Arguments.of("empty object", "{}", "workflowExecutionId"),
        Arguments.of(
            "an error body",
            "{\"code\":\"404\",\"details\":\"Execution not found\",\"requestId\":\"K144VZX9J0CCDG4229C5\"}",
            "workflowExecutionId"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("bodiesWithoutIdOrStatus")
  void shouldRefuseAnExecutionWithoutIdOrStatusAndNameWhatIsMissing(
      String description, String body, String missing) {
    assertThatThrownBy(() -> RemoteExecutionParser.parseExecution(body))
        .isInstanceOf(MalformedBodyException.class)
        .hasMessage("execution body lacks " + missing);
  }

  static Stream<Arguments> unreadableBodies() {
    return Stream.of(
        Arguments.of("null body", null, "empty body"),
        Arguments.of("empty body", "", "empty body"),
        Arguments.of("blank body", "  \n\t ", "empty body"),
        Arguments.of(
            "an HTML gateway page",
            "<html><head><title>502 Bad Gateway</title></head></html>",
            "body is not valid JSON at line 1, column"),
        Arguments.of(
            "plain text", "Service Unavailable", "body is not valid JSON at line 1, column"),
        Arguments.of(
            "truncated JSON",
            "{\"workflowExecutionId\":\"a111111c-111f-1111-b1f1-11d111f1c1d1\",\"status\":\"PEN",
            "body is not valid JSON at line 1, column"),
        Arguments.of(
            "JSON cut after a comma on the second line",
            "{\"workflowExecutionId\":\"x1\",\n\"status\":",
            "body is not valid JSON at line 2, column"),
        Arguments.of(
            "a JSON array",
            "[{\"workflowExecutionId\":\"x1\",\"status\":\"PENDING\"}]",
            "body is not a JSON object"),
        Arguments.of("an empty JSON array", "[]", "body is not a JSON object"),
        Arguments.of("a JSON string", "\"PENDING\"", "body is not a JSON object"),
        Arguments.of("a JSON number", "42", "body is not a JSON object"),
        Arguments.of("JSON null", "null", "body is not a JSON object"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unreadableBodies")
  void shouldRefuseABodyThatIsNotAJsonObjectWithAMessage(
      String description, String body, String messageStart) {
    assertThatThrownBy(() -> RemoteExecutionParser.parseExecution(body))
        .isInstanceOf(MalformedBodyException.class)
        .hasMessageStartingWith(messageStart);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unreadableBodies")
  void shouldRefuseTheSameUnreadableBodiesInEveryParseMethod(
      String description, String body, String messageStart) {
    assertThatThrownBy(() -> RemoteExecutionParser.parseExecutionPage(body))
        .isInstanceOf(MalformedBodyException.class)
        .hasMessageStartingWith(messageStart);
    assertThatThrownBy(() -> RemoteExecutionParser.parseDownloadUrls(body))
        .isInstanceOf(MalformedBodyException.class)
        .hasMessageStartingWith(messageStart);
  }

  @Test
  void shouldNotEchoTheBodyInTheMessageOfInvalidJson() {
    String body = "{\"workflowExecutionId\":\"secret-looking-id\",\"status\":";

    assertThatThrownBy(() -> RemoteExecutionParser.parseExecution(body))
        .isInstanceOf(MalformedBodyException.class)
        .hasMessageNotContaining("secret-looking-id");
  }

  // ---------------------------------------------------------------------------------------------
  // parseExecutionPage

  private static final String EXECUTION_LIST =
      """
      {
        "executions": [
          {"workflowExecutionId":"a111111c-111f-1111-b1f1-11d111f1c1d1",
           "workflowId":"weekly_reach_report","status":"SUCCEEDED",
           "createTime":"2023-08-16T04:12:53Z","lastUpdatedTime":"2023-08-16T04:40:10Z",
           "expireTime":"2023-08-17T04:12:53Z","workflowExecutionTimeoutSeconds":21600},
          {"workflowExecution":
            {"workflowExecutionId":"b222222d-222a-2222-c2a2-22e222a2d2e2",
             "workflowId":"weekly_reach_report","status":"FAILED",
             "statusReason":"Execution exceeded the maximum execution time",
             "createTime":"2023-08-15T04:12:53Z"}},
          {"workflowExecutionId":"c333333e-333b-3333-d3b3-33f333b3e3f3",
           "workflowId":"weekly_reach_report","status":"PUBLISHING","unknownField":1}
        ],
        "nextToken": "abc"
      }
      """;

  @Test
  void shouldReadEveryExecutionOfAListFlatOrWrapped() {
    List<RemoteExecution> executions =
        RemoteExecutionParser.parseExecutionPage(EXECUTION_LIST).executions().stream()
            .map(ListedExecution::execution)
            .toList();

    assertThat(executions)
        .containsExactly(
            new RemoteExecution(
                "a111111c-111f-1111-b1f1-11d111f1c1d1",
                "weekly_reach_report",
                "SUCCEEDED",
                null,
                Instant.parse("2023-08-16T04:12:53Z"),
                Instant.parse("2023-08-16T04:40:10Z"),
                Instant.parse("2023-08-17T04:12:53Z"),
                21600),
            new RemoteExecution(
                "b222222d-222a-2222-c2a2-22e222a2d2e2",
                "weekly_reach_report",
                "FAILED",
                "Execution exceeded the maximum execution time",
                Instant.parse("2023-08-15T04:12:53Z"),
                null,
                null,
                null),
            new RemoteExecution(
                "c333333e-333b-3333-d3b3-33f333b3e3f3",
                "weekly_reach_report",
                "PUBLISHING",
                null,
                null,
                null,
                null,
                null));
  }

  @Test
  void shouldReadTheNextTokenOfAList() {
    assertThat(RemoteExecutionParser.parseExecutionPage(EXECUTION_LIST).nextToken())
        .isEqualTo("abc");
  }

  @Test
  void shouldReadAMissingOrNullNextTokenAsNull() {
    assertThat(RemoteExecutionParser.parseExecutionPage("{\"executions\":[]}").nextToken())
        .isNull();
    assertThat(
            RemoteExecutionParser.parseExecutionPage("{\"executions\":[],\"nextToken\":null}")
                .nextToken())
        .isNull();
    assertThat(
            RemoteExecutionParser.parseExecutionPage("{\"executions\":[],\"nextToken\":\"\"}")
                .nextToken())
        .isNull();
  }

  @Test
  void shouldReadAnEmptyListAsNoExecutions() {
    assertThat(RemoteExecutionParser.parseExecutionPage("{\"executions\":[]}").executions())
        .isEmpty();
  }

  @Test
  void shouldRefuseAListWithoutAnExecutionsArray() {
    // Adoption decides from this answer whether to create: a broken body must not read as "none".
    for (String body :
        List.of("{\"nextToken\":\"abc\"}", "{\"executions\":null}", "{\"executions\":{}}")) {
      assertThatThrownBy(() -> RemoteExecutionParser.parseExecutionPage(body))
          .as(body)
          .isInstanceOf(MalformedBodyException.class)
          .hasMessage("executions missing from the list answer");
    }
  }

  @Test
  void shouldRefuseAListThatHoldsAnExecutionWithoutStatus() {
    String body =
        """
        {"executions":[
          {"workflowExecutionId":"x1","status":"RUNNING"},
          {"workflowExecutionId":"x2"}
        ]}
        """;

    assertThatThrownBy(() -> RemoteExecutionParser.parseExecutionPage(body))
        .isInstanceOf(MalformedBodyException.class)
        .hasMessage("execution body lacks status");
  }

  @Test
  void shouldReadWhatCreatedEachListedExecution() {
    String body =
        """
        {"executions":[
          {"workflowExecutionId":"x1","status":"RUNNING","workflowId":"transient_1",
           "workflow":{"sqlQuery":"SELECT 1"},"parameterValues":{"campaignId":"123"},
           "timeWindowType":"EXPLICIT","timeWindowStartOriginal":"2024-01-01T00:00:00",
           "timeWindowStart":"2024-01-01T05:00:00Z","timeWindowEnd":"2024-01-08T05:00:00Z"},
          {"workflowExecutionId":"x2","status":"PENDING","sqlQuery":"SELECT 2"}
        ]}
        """;

    List<ListedExecution> listed = RemoteExecutionParser.parseExecutionPage(body).executions();

    assertThat(listed)
        .extracting(
            ListedExecution::sqlQuery,
            ListedExecution::parameterValues,
            ListedExecution::timeWindowType,
            ListedExecution::timeWindowStart,
            ListedExecution::timeWindowEnd)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "SELECT 1",
                java.util.Map.of("campaignId", "123"),
                "EXPLICIT",
                "2024-01-01T00:00:00",
                "2024-01-08T05:00:00Z"),
            org.assertj.core.groups.Tuple.tuple("SELECT 2", java.util.Map.of(), null, null, null));
  }

  // ---------------------------------------------------------------------------------------------
  // parseDownloadUrls

  private static final String RESULT_URL =
      "https://amc-results-us-east-1.s3.amazonaws.com/amcinst01/workflow%3Dweekly_reach_report"
          + "/schedule%3Dadhoc/2023-08-16T04%3A12%3A53Z/weekly_reach_report.csv"
          + "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20230816T044101Z"
          + "&X-Amz-SignedHeaders=host&X-Amz-Expires=600"
          + "&X-Amz-Credential=ASIAEXAMPLE%2F20230816%2Fus-east-1%2Fs3%2Faws4_request"
          + "&X-Amz-Signature=0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";

  private static final String METADATA_URL =
      "https://amc-results-us-east-1.s3.amazonaws.com/amcinst01/workflow%3Dweekly_reach_report"
          + "/schedule%3Dadhoc/2023-08-16T04%3A12%3A53Z/weekly_reach_report.csv.metadata.json"
          + "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=600"
          + "&X-Amz-Signature=1a2b3c4d5e6f";

  @Test
  void shouldReadResultAndMetadataUrlsWithANullNextToken() {
    String body =
        "{\"downloadUrls\":[\""
            + RESULT_URL
            + "\"],\"metadataDownloadUrls\":[\""
            + METADATA_URL
            + "\"],\"nextToken\":null}";

    assertThat(RemoteExecutionParser.parseDownloadUrls(body))
        .isEqualTo(new DownloadUrls(List.of(RESULT_URL), List.of(METADATA_URL), null));
  }

  @Test
  void shouldReadSeveralResultFilesAndANextToken() {
    String body =
        """
        {"downloadUrls":["https://example.s3.amazonaws.com/part-0000.csv?X-Amz-Expires=600",
                         "https://example.s3.amazonaws.com/part-0001.csv?X-Amz-Expires=600"],
         "metadataDownloadUrls":[],
         "nextToken":"eyJwYWdlIjoyfQ=="}
        """;

    DownloadUrls urls = RemoteExecutionParser.parseDownloadUrls(body);

    assertThat(urls.downloadUrls())
        .containsExactly(
            "https://example.s3.amazonaws.com/part-0000.csv?X-Amz-Expires=600",
            "https://example.s3.amazonaws.com/part-0001.csv?X-Amz-Expires=600");
    assertThat(urls.metadataUrls()).isEmpty();
    assertThat(urls.nextToken()).isEqualTo("eyJwYWdlIjoyfQ==");
  }

  @Test
  void shouldReadMissingMetadataUrlsAsNone() {
    DownloadUrls urls = RemoteExecutionParser.parseDownloadUrls("{\"downloadUrls\":[]}");

    assertThat(urls).isEqualTo(new DownloadUrls(List.of(), List.of(), null));
  }

  static Stream<Arguments> answersWithoutDownloadUrls() {
    return Stream.of(
        Arguments.of("{}"),
        Arguments.of("{\"metadataDownloadUrls\":[\"" + METADATA_URL + "\"],\"nextToken\":null}"),
        Arguments.of("{\"downloadUrls\":null}"),
        Arguments.of("{\"downloadUrls\":\"" + RESULT_URL + "\"}"),
        Arguments.of("{\"downloadUrls\":{\"url\":\"" + RESULT_URL + "\"}}"),
        Arguments.of("{\"downloadURLs\":[\"" + RESULT_URL + "\"]}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("answersWithoutDownloadUrls")
  void shouldRefuseAnAnswerWithoutADownloadUrlArray(String body) {
    assertThatThrownBy(() -> RemoteExecutionParser.parseDownloadUrls(body))
        .isInstanceOf(MalformedBodyException.class)
        .hasMessage("downloadUrls missing from the answer");
  }

  @Test
  void shouldReplaceNulCharactersThatPostgresCannotStore() {
    RemoteExecution parsed =
        RemoteExecutionParser.parseExecution(
            "{\"workflowExecutionId\":\"e1\",\"status\":\"FAILED\","
                + "\"statusReason\":\"bad\\u0000reason\"}");

    assertThat(parsed.statusReason()).isEqualTo("bad\uFFFDreason");
  }
}
