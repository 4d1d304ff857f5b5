package io.executionpoller.failure;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Classifies a failure into one of the eight error types. It decides from what is certain first
 * (the transport, the HTTP status), then from the text. The text rules are ordered and use phrases,
 * not single words: bare substring tests would file "query timeout" as a timeout and anything that
 * mentioned "token" (pagination tokens included) as an authentication error.
 */
public final class ErrorClassifier {

  private record Rule(Pattern pattern, ErrorType type) {}

  private static Rule rule(String regex, ErrorType type) {
    return new Rule(Pattern.compile(regex), type);
  }

  /** Text rules, first match wins; all matched against lower-cased text. */
  private static final List<Rule> TEXT_RULES =
      List.of(
          // SQL errors first: a column called "quota_used" in an error message is still a SQL
          // error.
          rule(
              "syntax error|sql (compilation|validation)|parse error|mismatched input|unknown column"
                  + "|column .* (not found|does not exist)|table .* (not found|does not exist)"
                  + "|invalid (sql|identifier)|invalid query(?! parameter)|semantic|type mismatch"
                  + "|cannot (be )?resolve|undefined (column|function|table)|query timeout",
              ErrorType.QUERY_ERROR),
          // Overlap/privacy rejections and quotas: resubmitting later is the fix.
          rule(
              "too many (workflows|executions|requests)|rate (limit|exceeded)|throttl|quota"
                  + "|concurrency limit|limit exceeded for|try again later",
              ErrorType.RESOURCE_ERROR),
          // The execution ran out of time (AMC's workflowExecutionTimeoutSeconds), not a client
          // wait.
          rule(
              "(execution|workflow|run) ?time ?limit|exceeded (the )?(maximum )?(execution|run) ?time"
                  + "|execution timed out|execution timeout|workflowexecutiontimeoutseconds",
              ErrorType.TIMEOUT_ERROR),
          rule(
              "access ?denied|not authori[sz]ed|forbidden|permission|terms and conditions"
                  + "|does not have access",
              ErrorType.PERMISSION_ERROR),
          // Only credential tokens: "invalid token for pagination" is not an authentication
          // problem.
          rule(
              "invalid_grant|invalid_client|unauthorized_client|authentication failed"
                  + "|(access|bearer|refresh|security) token (is )?(expired|invalid)"
                  + "|expired (access |bearer |security )?token|invalid (access|bearer|refresh|security) token",
              ErrorType.AUTHENTICATION_ERROR),
          rule(
              "internal (server )?error|service unavailable|endpoint request timed out|bad gateway"
                  + "|gateway time-?out",
              ErrorType.AMC_API_ERROR),
          rule(
              "connection (reset|refused|closed)|network|unknown host|dns",
              ErrorType.NETWORK_ERROR));

  private ErrorClassifier() {}

  public static ErrorType classify(FailureFacts facts) {
    return switch (facts.transport()) {
      case CONNECTION, TIMEOUT -> ErrorType.NETWORK_ERROR;
      case MALFORMED -> ErrorType.AMC_API_ERROR;
      case NOT_CONFIGURED -> ErrorType.AUTHENTICATION_ERROR;
      // Not this daemon's to call: the instance's endpoint needs an operator.
      case ENDPOINT_REFUSED -> ErrorType.PERMISSION_ERROR;
      case UNEXPECTED -> ErrorType.UNKNOWN_ERROR;
      case NONE -> classifyAnswer(facts);
    };
  }

  private static ErrorType classifyAnswer(FailureFacts facts) {
    int status = facts.httpStatus();
    if (status == 429) {
      return ErrorType.RESOURCE_ERROR;
    }
    if (status >= 500) {
      return ErrorType.AMC_API_ERROR;
    }
    if (facts.operation() == FailureFacts.Operation.TOKEN && status >= 400) {
      return ErrorType.AUTHENTICATION_ERROR;
    }
    if (status == 401) {
      return ErrorType.AUTHENTICATION_ERROR;
    }
    if (status == 403) {
      // The client already retried once with a fresh token, so this is about access, not expiry.
      return ErrorType.PERMISSION_ERROR;
    }
    ErrorType fromText = classifyText(facts.text());
    if ((status == 400 || status == 422) && facts.operation() == FailureFacts.Operation.CREATE) {
      return fromText == ErrorType.RESOURCE_ERROR ? fromText : ErrorType.QUERY_ERROR;
    }
    // A refused check or token call says nothing about the query, whatever its text mentions.
    boolean queryRelated =
        facts.operation() == FailureFacts.Operation.CREATE
            || facts.operation() == FailureFacts.Operation.REMOTE_EXECUTION;
    if (fromText != ErrorType.UNKNOWN_ERROR
        && (queryRelated || fromText != ErrorType.QUERY_ERROR)) {
      return fromText;
    }
    return status >= 400 ? ErrorType.AMC_API_ERROR : ErrorType.UNKNOWN_ERROR;
  }

  /** Classifies free text alone: an error body or a FAILED execution's statusReason. */
  public static ErrorType classifyText(String text) {
    if (text == null || text.isBlank()) {
      return ErrorType.UNKNOWN_ERROR;
    }
    String lower = text.toLowerCase(Locale.ROOT);
    for (Rule rule : TEXT_RULES) {
      if (rule.pattern().matcher(lower).find()) {
        return rule.type();
      }
    }
    return ErrorType.UNKNOWN_ERROR;
  }
}
