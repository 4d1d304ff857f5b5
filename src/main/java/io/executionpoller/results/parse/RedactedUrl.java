package io.executionpoller.results.parse;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * A URL made safe to log. Presigned URLs carry their credentials (signature, security token) in the
 * query, and any URL may carry a password in its userinfo, so both are dropped, as is the fragment;
 * what remains still tells an operator which object was meant.
 */
public final class RedactedUrl {

  static final String UNPARSABLE = "<unparsable url>";

  private RedactedUrl() {}

  /** Returns {@code scheme://host[:port]path}, or {@code <unparsable url>}; never the query. */
  public static String of(String url) {
    if (url == null) {
      return UNPARSABLE;
    }
    URI uri;
    try {
      uri = new URI(url.trim());
    } catch (URISyntaxException e) {
      return UNPARSABLE;
    }
    String scheme = uri.getScheme();
    String host = uri.getHost();
    // No host means an opaque or registry-based URI, whose parts URI cannot tell apart safely.
    if (scheme == null || host == null) {
      return UNPARSABLE;
    }
    StringBuilder out = new StringBuilder(scheme).append("://").append(host);
    if (uri.getPort() != -1) {
      out.append(':').append(uri.getPort());
    }
    String path = uri.getRawPath();
    if (path != null) {
      out.append(path);
    }
    return out.toString();
  }
}
