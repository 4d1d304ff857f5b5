package io.executionpoller.dashboard;

import io.quarkus.qute.TemplateData;
import java.util.List;

/**
 * The backfill form: for an operator ({@code operator}), the workflows to choose from (the newest
 * {@code workflows}, {@code more} when there are others, typed in by id then); a viewer sees only
 * that it needs an operator token. The form itself posts nothing: its script calls POST
 * /api/v1/executions/backfill.
 */
@TemplateData
public record BackfillPage(
    boolean operator,
    List<Workflow> workflows,
    boolean more,
    int maxWindows,
    long refreshSeconds,
    String generatedAt) {

  /** A workflow to choose: its id and a label naming it, its AMC id and instance. */
  @TemplateData
  public record Workflow(String id, String label) {}
}
