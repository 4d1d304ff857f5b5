package io.executionpoller.bulk;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A bulk job as the API shows it: what it does and why, who confirmed it, and its progress. {@code
 * notDone} lists items that were skipped or failed, each with why (the first ones only).
 */
public record BulkJobView(
    UUID id,
    String action,
    BulkJobState state,
    String reason,
    String operator,
    String selection,
    int total,
    int done,
    int skipped,
    int failed,
    Instant createdAt,
    Instant updatedAt,
    Instant finishedAt,
    List<Item> notDone) {

  /** Items not worked yet. */
  @JsonProperty("remaining")
  public int remaining() {
    return total - done - skipped - failed;
  }

  /** One execution that was skipped or failed. */
  public record Item(UUID executionId, BulkItemOutcome outcome, String message) {}
}
