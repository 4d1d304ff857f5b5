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
    List<Group> groups, String total, boolean cut, long refreshSeconds, String generatedAt) {

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
