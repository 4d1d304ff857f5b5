package io.executionpoller.poll;

import static org.assertj.core.api.Assertions.assertThat;

import io.executionpoller.remote.RemoteExecution;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Which read answers a status check, and when a listing's answer settles it. */
class StatusReadRuleTest {

  private static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");
  private static final StatusReadRule.Settings ON =
      new StatusReadRule.Settings(true, 3, Duration.ofSeconds(10), Duration.ofHours(6), 5);

  static Stream<Arguments> choices() {
    Instant recent = NOW.minus(Duration.ofHours(5));
    Instant beforeWindow = NOW.minus(Duration.ofHours(7));
    return Stream.of(
        Arguments.of("listing off", StatusReadRule.Settings.off(), 50, true, recent, "SINGLE"),
        Arguments.of("one due, nothing listed", ON, 1, false, recent, "SINGLE"),
        Arguments.of("two due, below min-due", ON, 2, false, recent, "SINGLE"),
        Arguments.of("min-due reached", ON, 3, false, recent, "LISTING"),
        Arguments.of("one due, a listing at hand", ON, 1, true, recent, "LISTING"),
        Arguments.of("submission unknown: try the listing", ON, 3, false, null, "LISTING"),
        Arguments.of("created before the window", ON, 10, true, beforeWindow, "SINGLE"));
  }

  @ParameterizedTest(name = "{0}: {5}")
  @MethodSource("choices")
  void shouldChooseTheCheaperReadThatCanAnswer(
      String situation,
      StatusReadRule.Settings settings,
      int due,
      boolean atHand,
      Instant submittedAt,
      String read) {
    assertThat(StatusReadRule.choose(settings, due, atHand, submittedAt, NOW))
        .isEqualTo(StatusReadRule.Read.valueOf(read));
  }

  private static RemoteExecution listed(String status) {
    return new RemoteExecution("r-1", "wf", status, null, NOW, NOW, null, null);
  }

  static Stream<Arguments> answers() {
    return Stream.of(
        Arguments.of("missing from the listing", "RUNNING", null, false),
        Arguments.of("unchanged", "RUNNING", listed("RUNNING"), true),
        Arguments.of("changed: confirmed by a GET", "RUNNING", listed("SUCCEEDED"), false),
        Arguments.of("lagging behind: confirmed by a GET", "RUNNING", listed("PENDING"), false),
        Arguments.of("never observed: read by a GET", null, listed("PENDING"), false),
        Arguments.of("unknown status, unchanged", "QUEUED_X", listed("QUEUED_X"), true));
  }

  @ParameterizedTest(name = "{0}: settled {3}")
  @MethodSource("answers")
  void shouldTakeOnlyAnUnchangedStatusFromTheListing(
      String situation, String stored, RemoteExecution listed, boolean settled) {
    RemoteExecution answer = StatusReadRule.settled(stored, listed);
    if (settled) {
      assertThat(answer).isSameAs(listed);
    } else {
      assertThat(answer).isNull();
    }
  }
}
