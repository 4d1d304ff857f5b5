package io.executionpoller.api;

import java.util.List;

/** A page of a list; {@code next} is the cursor (or sequence) for the following page, or null. */
public record Page<T>(List<T> items, String next) {}
