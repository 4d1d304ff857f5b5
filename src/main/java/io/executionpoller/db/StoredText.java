package io.executionpoller.db;

/**
 * Free text on its way into a PostgreSQL text column: error messages and bodies, AMC's status
 * reasons, event messages, operators' reasons. PostgreSQL rejects a NUL character in text, and the
 * text comes from outside (AMC answers, request bodies), so one NUL would fail the whole write and
 * lose what it recorded; a stray surrogate would be stored as '?' by the driver's encoder, and an
 * unbounded body would bloat every row it touches. Every such bind goes through {@link #of}.
 */
public final class StoredText {

  /** Longest text stored, in chars; longer text keeps its start and says how much was cut. */
  public static final int MAX_LENGTH = 4096;

  private static final char REPLACEMENT = '\uFFFD';

  /** Room kept for the cut note: "... [" + at most 10 digits + " more chars cut]". */
  private static final int NOTE_ROOM = 32;

  private StoredText() {}

  /**
   * {@code text} as it can be stored: NUL and unpaired surrogates become U+FFFD, and text beyond
   * {@link #MAX_LENGTH} is cut (never inside a surrogate pair) with a note of the cut length. Null
   * stays null; text that needs nothing is returned as is.
   */
  public static String of(String text) {
    if (text == null || isStorable(text)) {
      return text;
    }
    if (text.length() <= MAX_LENGTH) {
      return clean(text, text.length());
    }
    int keep = MAX_LENGTH - NOTE_ROOM;
    if (Character.isHighSurrogate(text.charAt(keep - 1))
        && Character.isLowSurrogate(text.charAt(keep))) {
      keep--;
    }
    return clean(text, keep) + "... [" + (text.length() - keep) + " more chars cut]";
  }

  private static boolean isStorable(String text) {
    if (text.length() > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\0' || Character.isSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  /** The first {@code length} chars with NUL and unpaired surrogates replaced. */
  private static String clean(String text, int length) {
    StringBuilder out = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < length
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        out.append(c).append(text.charAt(++i));
      } else if (c == '\0' || Character.isSurrogate(c)) {
        out.append(REPLACEMENT);
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
