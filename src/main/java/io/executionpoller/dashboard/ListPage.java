package io.executionpoller.dashboard;

import io.quarkus.qute.TemplateData;
import java.util.List;

/**
 * The executions list: one page, newest first, with the status filter links and the link to the
 * next (older) page. Every string is ready to print; the template only lays it out.
 */
@TemplateData
public record ListPage(
    List<Row> rows,
    List<Filter> filters,
    boolean filtered,
    String olderUrl,
    String newestUrl,
    long refreshSeconds,
    String generatedAt) {

  /** One execution. */
  @TemplateData
  public record Row(
      String id,
      String shortId,
      String href,
      String workflow,
      String instanceId,
      StatusLook look,
      String createdAt,
      String runningTime,
      String rows,
      String errorType,
      String errorMessage,
      String errorTitle) {}

  /** A status filter link; {@code active} when the page shows that status. */
  @TemplateData
  public record Filter(StatusLook look, String href, boolean active) {}
}
