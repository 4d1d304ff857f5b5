package io.executionpoller.api;

import java.util.List;
import java.util.function.Function;

/** A page of a list; {@code next} is the cursor (or sequence) for the following page, or null. */
public record Page<T>(List<T> items, String next) {

  /**
   * The page from a query that fetched one row more than {@code limit}: that extra row only says a
   * next page exists, so no count is needed; {@code next} is derived from the last item kept.
   */
  public static <T> Page<T> of(List<T> fetched, int limit, Function<T, String> next) {
    if (fetched.size() <= limit) {
      return new Page<>(List.copyOf(fetched), null);
    }
    List<T> page = List.copyOf(fetched.subList(0, limit));
    return new Page<>(page, next.apply(page.get(limit - 1)));
  }
}
