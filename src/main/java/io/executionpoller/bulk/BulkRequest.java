package io.executionpoller.bulk;

import java.util.List;

/**
 * The body of a bulk action and of its preview: which executions (a {@code filter}, as the
 * dashboard's list URL has it, or a list of {@code ids}, never both), and, to confirm, the {@code
 * reason} and the count the preview answered ({@code confirm}).
 */
public record BulkRequest(Filter filter, List<String> ids, String reason, Integer confirm) {

  /**
   * The list's filters, named as in the dashboard's URL: statuses, workflow (name, AMC id or UUID),
   * instance, advertiser, error type and the registration time range.
   */
  public record Filter(
      List<String> status,
      String workflow,
      String instance,
      String advertiser,
      String errorType,
      String from,
      String to) {}
}
