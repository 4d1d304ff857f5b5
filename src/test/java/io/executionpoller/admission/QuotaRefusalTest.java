package io.executionpoller.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.executionpoller.remote.RemoteCallException;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class QuotaRefusalTest {

  static Stream<Arguments> answers() {
    return Stream.of(
        Arguments.of(
            429,
            "{\"code\":\"429\",\"details\":\"Quota exceeded: at most 10 concurrent executions per"
                + " instance\"}",
            QueuedReason.INSTANCE_CONCURRENCY),
        Arguments.of(
            400,
            "{\"code\":\"400\",\"details\":\"Quota exceeded: ad hoc executions may be run up to 30"
                + " times per day, per AMC instance\"}",
            QueuedReason.DAILY_QUOTA),
        Arguments.of(
            429,
            "{\"details\":\"Quota exceeded: at most 200 concurrent executions per account\"}",
            QueuedReason.ACCOUNT_CONCURRENCY),
        // The shared request throttle, not a quota: the remote guards deal with it.
        Arguments.of(429, "{\"message\":\"Too Many Requests\"}", null),
        // A privacy rejection refuses the query, not the instance.
        Arguments.of(
            400,
            "{\"details\":\"could not be run because too many workflows have already been run"
                + " against the same input data sources\"}",
            null),
        Arguments.of(500, "{\"details\":\"quota service unavailable\"}", null),
        Arguments.of(400, "{\"details\":\"SQL compilation error\"}", null));
  }

  @ParameterizedTest
  @MethodSource("answers")
  void shouldReadOnlyQuotaTextInA4xxAsAQuotaRefusal(int status, String body, QueuedReason reason) {
    RemoteCallException answer =
        new RemoteCallException(
            "create execution", RemoteCallException.Kind.HTTP_STATUS, status, body, null, null);

    assertThat(QuotaRefusal.of(answer)).isEqualTo(Optional.ofNullable(reason));
  }

  @Test
  void shouldNotReadTheCallersOwnWordsQuotedBackAsAQuotaRefusal() {
    RemoteCallException quoted =
        new RemoteCallException(
            "create execution",
            RemoteCallException.Kind.HTTP_STATUS,
            404,
            "{\"details\":\"workflow 'over daily quota per day' not found\"}",
            null,
            null);

    assertThat(QuotaRefusal.of(quoted)).contains(QueuedReason.DAILY_QUOTA);
    assertThat(QuotaRefusal.of(quoted, List.of("over daily quota per day"))).isEmpty();
  }

  @Test
  void shouldNotReadAFailureWithoutAnAnswerAsAQuotaRefusal() {
    RemoteCallException noAnswer =
        RemoteCallException.of(
            "create execution", RemoteCallException.Kind.TIMEOUT, "quota per day", null);

    assertThat(QuotaRefusal.of(noAnswer)).isEmpty();
  }
}
