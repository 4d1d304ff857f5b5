package io.executionpoller.dashboard;

import io.quarkus.qute.TemplateData;

/**
 * A refused dashboard request (bad filter, unknown execution) as a page, not as JSON. It never
 * reloads itself: the same request would be refused again.
 */
@TemplateData
public record ProblemPage(int status, String title, String detail, String generatedAt) {

  public long refreshSeconds() {
    return 0;
  }
}
