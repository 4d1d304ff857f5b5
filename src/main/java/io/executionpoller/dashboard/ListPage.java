package io.executionpoller.dashboard;

import io.quarkus.qute.TemplateData;
import java.util.List;

/**
 * The executions list: one page, newest first, with the status filter links (each with its count
 * under the other filters), the filter form as the URL fills it, and the link to the next (older)
 * page. Every string is ready to print; the template only lays it out. {@code operator} shows the
 * links to the pages that change state (a viewer sees none); {@code liveStream} is the event stream
 * from just before the page was read, which live.js follows. An operator also gets the bulk actions
 * (bulk.js): the page then reloads through the script ({@code scriptRefreshSeconds}), which waits
 * while a bulk dialog is open, instead of the meta refresh, which would not.
 */
@TemplateData
public record ListPage(
    List<Row> rows,
    List<Filter> filters,
    boolean filtered,
    String allUrl,
    String allCount,
    Form form,
    boolean narrowed,
    String olderUrl,
    String newestUrl,
    long refreshSeconds,
    String generatedAt,
    boolean operator,
    String liveStream,
    long scriptRefreshSeconds) {

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

  /**
   * A status filter link keeping the other filters; {@code active} when the page shows that status
   * alone; {@code count} executions of the status match the other filters.
   */
  @TemplateData
  public record Filter(StatusLook look, String href, boolean active, String count) {}

  /** The filter form's fields as the URL set them ({@code status} travels as a hidden field). */
  @TemplateData
  public record Form(
      String workflow,
      String instance,
      String advertiser,
      List<Option> errorTypes,
      String from,
      String to,
      String status,
      String limit) {}

  /** An error type to choose. */
  @TemplateData
  public record Option(String value, boolean selected) {}
}
