package io.executionpoller.dashboard;

import io.quarkus.qute.TemplateData;
import java.util.List;

/**
 * The Problems page: what needs a person, grouped by kind (the stuck reasons), each kind with how
 * many there are, what helps, and its executions longest-stuck first. Not the error page ({@link
 * ProblemPage}).
 */
@TemplateData
public record ProblemsPage(
    List<Group> groups,
    Dead dead,
    String total,
    boolean cut,
    long refreshSeconds,
    String generatedAt) {

  /** Nothing of any kind needs a person. */
  public boolean allClear() {
    return groups.isEmpty() && dead == null;
  }

  /**
   * Webhook deliveries that gave up (null when there are none): the receiver did not take them
   * within their max-age; only an operator's redelivery sends them again.
   */
  @TemplateData
  public record Dead(String count, boolean cut, List<DeadRow> rows) {}

  /**
   * One dead delivery: its execution and subscription, where it went (scheme, host, port only), its
   * receiver's last answer and the call that sends it again.
   */
  @TemplateData
  public record DeadRow(
      String id,
      String executionId,
      String executionShortId,
      String executionHref,
      String subscriptionId,
      String receiver,
      String eventType,
      String attempts,
      String lastAttempt,
      String lastCode,
      String lastError,
      String redeliver) {}

  /** One kind of problem; its rows may be fewer than {@code count} (the page is bounded). */
  @TemplateData
  public record Group(String key, ProblemAdvice advice, String count, List<Row> rows) {}

  /** One execution with this problem. */
  @TemplateData
  public record Row(
      String id,
      String shortId,
      String href,
      StatusLook look,
      String since,
      String detail,
      String lastError,
      String actions) {}
}
