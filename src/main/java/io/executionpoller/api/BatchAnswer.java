package io.executionpoller.api;

import java.util.List;
import java.util.UUID;

/**
 * The answer to a batch registration: all of it was stored ({@code stored}, HTTP 200) or none of it
 * (HTTP 422), with one answer per item in request order.
 */
public record BatchAnswer(
    boolean stored, int created, int replayed, int refused, List<Item> items) {

  /** Every item was created or replayed: nothing was refused. */
  static BatchAnswer stored(List<Item> items) {
    int created = (int) items.stream().filter(item -> item.status() == Item.CREATED).count();
    return new BatchAnswer(true, created, items.size() - created, 0, items);
  }

  /** At least one item was refused, so nothing was stored. */
  static BatchAnswer refused(List<Item> items) {
    int refused = (int) items.stream().filter(item -> item.status() != Item.NOT_STORED).count();
    return new BatchAnswer(false, 0, 0, refused, items);
  }

  /**
   * One item's answer, with the status the single POST /api/v1/executions would have answered: 201
   * created, 200 an earlier use of its key (the execution that use created), 400/404/409/422 as
   * there, or 424 for a valid item not stored because another item of the batch was refused. A
   * created item with a callbackUrl carries its callback's secret, shown this once (a replay does
   * not show it again, as the single request's replay does not).
   */
  public record Item(
      int index,
      String idempotencyKey,
      int status,
      UUID executionId,
      String detail,
      String callbackSecret) {

    static final int CREATED = 201;
    static final int REPLAYED = 200;
    static final int NOT_STORED = 424;
  }
}
