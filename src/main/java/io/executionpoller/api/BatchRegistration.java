package io.executionpoller.api;

import java.util.List;

/** Body of POST /api/v1/executions/batch: 1 to {@link #MAX_ITEMS} registrations. */
public record BatchRegistration(List<BatchItem> registrations) {

  /** Most registrations in one request, and so in one transaction. */
  public static final int MAX_ITEMS = 1000;
}
