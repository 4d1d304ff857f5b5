package io.executionpoller.results.parse;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The hosts result URLs may point at. Result locations come from a remote API, so following them
 * blindly would let a compromised or spoofed response make this service fetch internal addresses;
 * only hosts matching one of the configured patterns are fetched.
 *
 * <p>Patterns are compared case-insensitively and are one of:
 *
 * <ul>
 *   <li>an exact host, such as {@code localhost}, {@code 127.0.0.1} or {@code [::1]};
 *   <li>a DNS name with wildcards: a leading {@code *.} label matches one or more whole labels, and
 *       a {@code *} anywhere else matches one or more letters, digits or hyphens within that one
 *       label. So {@code *.s3.amazonaws.com} matches {@code a.b.s3.amazonaws.com} but not {@code
 *       s3.amazonaws.com}, and {@code s3-*.amazonaws.com} matches {@code
 *       s3-eu-west-1.amazonaws.com} but not {@code s3-.amazonaws.com}.
 * </ul>
 *
 * Hosts that are not plain DNS names (characters other than letters, digits, dots and hyphens,
 * empty labels, a trailing dot) only ever match an exact pattern, so no wildcard can be stretched
 * over an unusual spelling.
 */
public final class HostAllowList {

  /** The endpoint shapes S3 presigned URLs use: global, regional, legacy dash-regional. */
  public static final List<String> AMC_S3_DEFAULTS =
      List.of(
          "s3.amazonaws.com",
          "*.s3.amazonaws.com",
          "s3.*.amazonaws.com",
          "*.s3.*.amazonaws.com",
          "s3-*.amazonaws.com",
          "*.s3-*.amazonaws.com");

  private final List<String> exact;
  private final List<String[]> wildcards;

  private HostAllowList(List<String> exact, List<String[]> wildcards) {
    this.exact = exact;
    this.wildcards = wildcards;
  }

  /**
   * @throws IllegalArgumentException for a blank pattern, a pattern that is only wildcards, or a
   *     wildcard pattern that is not a well-formed DNS name
   */
  public static HostAllowList of(List<String> patterns) {
    List<String> exact = new ArrayList<>();
    List<String[]> wildcards = new ArrayList<>();
    for (String raw : patterns) {
      String pattern = Objects.requireNonNull(raw, "pattern").trim().toLowerCase(Locale.ROOT);
      if (pattern.isEmpty()) {
        throw new IllegalArgumentException("blank host pattern");
      }
      if (pattern.indexOf('*') < 0) {
        exact.add(pattern);
        continue;
      }
      String[] labels = pattern.split("\\.", -1);
      boolean hasLiteral = false;
      for (String label : labels) {
        if (label.isEmpty() || label.contains("**") || !isLabelPattern(label)) {
          throw new IllegalArgumentException("malformed host pattern: " + raw);
        }
        hasLiteral |= !label.replace("*", "").isEmpty();
      }
      // "*" or "*.*" would allow every host, which defeats the list.
      if (!hasLiteral) {
        throw new IllegalArgumentException("host pattern matches every host: " + raw);
      }
      wildcards.add(labels);
    }
    return new HostAllowList(List.copyOf(exact), List.copyOf(wildcards));
  }

  public boolean allows(String host) {
    if (host == null || host.isEmpty()) {
      return false;
    }
    String h = host.toLowerCase(Locale.ROOT);
    if (exact.contains(h)) {
      return true;
    }
    if (!isDnsName(h)) {
      return false;
    }
    String[] labels = h.split("\\.", -1);
    for (String[] pattern : wildcards) {
      if (matches(pattern, labels)) {
        return true;
      }
    }
    return false;
  }

  private static boolean matches(String[] pattern, String[] host) {
    boolean leadingAny = pattern[0].equals("*");
    int fixed = leadingAny ? pattern.length - 1 : pattern.length;
    // A leading "*." stands for at least one label; otherwise label counts must be equal.
    if (leadingAny ? host.length <= fixed : host.length != fixed) {
      return false;
    }
    int offset = host.length - fixed;
    int first = leadingAny ? 1 : 0;
    for (int i = 0; i < fixed; i++) {
      if (!labelMatches(pattern[first + i], host[offset + i])) {
        return false;
      }
    }
    return true;
  }

  /** Glob match within one label, where each '*' stands for one or more chars. */
  static boolean labelMatches(String pattern, String label) {
    return globFrom(pattern, 0, label, 0);
  }

  private static boolean globFrom(String p, int pi, String s, int si) {
    while (pi < p.length()) {
      char c = p.charAt(pi);
      if (c == '*') {
        // Labels are at most 63 chars, so trying every split point is cheap.
        for (int end = si + 1; end <= s.length(); end++) {
          if (globFrom(p, pi + 1, s, end)) {
            return true;
          }
        }
        return false;
      }
      if (si >= s.length() || s.charAt(si) != c) {
        return false;
      }
      pi++;
      si++;
    }
    return si == s.length();
  }

  private static boolean isLabelPattern(String label) {
    for (int i = 0; i < label.length(); i++) {
      char c = label.charAt(i);
      if (c != '*' && !isLabelChar(c)) {
        return false;
      }
    }
    return true;
  }

  private static boolean isDnsName(String host) {
    if (host.length() > 253 || host.startsWith(".") || host.endsWith(".")) {
      return false;
    }
    int labelLength = 0;
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      if (c == '.') {
        if (labelLength == 0) {
          return false;
        }
        labelLength = 0;
      } else if (isLabelChar(c) && ++labelLength <= 63) {
        continue;
      } else {
        return false;
      }
    }
    return true;
  }

  private static boolean isLabelChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  }
}
