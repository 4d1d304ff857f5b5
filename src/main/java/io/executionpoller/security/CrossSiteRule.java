package io.executionpoller.security;

import java.net.URI;
import java.util.Locale;
import java.util.Set;

/**
 * Whether a request that changes state may have been made by another site through the browser of
 * someone signed in to the dashboard. Browsers attach Basic credentials they hold for this realm to
 * any request to the daemon, whoever's page makes it, and a cross-site page can send a form post or
 * a no-cors {@code fetch} (no preflight: no custom header, no JSON content type). So a change made
 * with Basic credentials must carry {@code X-Requested-With}, which only a same-origin script can
 * add without a CORS preflight (and the daemon answers no preflight), and a request whose browser
 * says it came from another site ({@code Sec-Fetch-Site}, {@code Origin}) is refused whatever its
 * credentials. Bearer tokens are never attached by a browser on its own, so API clients need
 * neither header.
 */
final class CrossSiteRule {

  private static final Set<String> READ_METHODS = Set.of("GET", "HEAD", "OPTIONS");

  /** What the rule reads of a request. */
  record Request(
      String method,
      String authorization,
      String secFetchSite,
      String origin,
      String host,
      String requestedWith) {}

  private CrossSiteRule() {}

  /** True when the request reads only, or is a change its sender's own page or client made. */
  static boolean allows(Request request) {
    if (READ_METHODS.contains(request.method())) {
      return true;
    }
    if (request.secFetchSite() != null
        && !Set.of("same-origin", "none")
            .contains(request.secFetchSite().toLowerCase(Locale.ROOT))) {
      return false;
    }
    if (request.origin() != null && !sameOrigin(request.origin(), request.host())) {
      return false;
    }
    boolean basic =
        request.authorization() != null
            && request.authorization().strip().toLowerCase(Locale.ROOT).startsWith("basic ");
    return !basic || request.requestedWith() != null;
  }

  /** The Origin header names this host and port ("null" and anything unparsable do not). */
  private static boolean sameOrigin(String origin, String host) {
    if (host == null) {
      return false;
    }
    try {
      URI uri = URI.create(origin.strip());
      if (uri.getHost() == null) {
        return false;
      }
      String authority = uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
      return authority.equalsIgnoreCase(host.strip()) || defaultPort(uri, host.strip());
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** http://host and host:80 (https and 443) are the same origin. */
  private static boolean defaultPort(URI origin, String host) {
    int port = "https".equalsIgnoreCase(origin.getScheme()) ? 443 : 80;
    return origin.getPort() < 0 && (origin.getHost() + ":" + port).equalsIgnoreCase(host);
  }
}
