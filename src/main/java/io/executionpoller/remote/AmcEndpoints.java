package io.executionpoller.remote;

import io.executionpoller.results.parse.HostAllowList;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The AMC API base URLs this daemon may call, and so send its Login with Amazon token to: https
 * (unless poller.amc.require-https is off), a host on poller.amc.allowed-api-hosts, and no
 * credentials, query or fragment. Checked when a workflow names an endpoint, when an operator
 * changes one, and again before every call, for rows written before the list existed.
 */
@ApplicationScoped
@Startup
public class AmcEndpoints {

  private static final Logger LOG = Logger.getLogger(AmcEndpoints.class);

  private final HostAllowList hosts;
  private final boolean requireHttps;
  private final String defaultBaseUrl;

  AmcEndpoints(AmcConfig config) {
    this.hosts = HostAllowList.of(config.allowedApiHosts());
    this.requireHttps = config.requireHttps();
    this.defaultBaseUrl = normalize(config.apiBaseUrl());
    // Said once at boot: otherwise only each refused call would tell.
    refusal(defaultBaseUrl)
        .ifPresent(
            reason ->
                LOG.warnf(
                    "poller.amc.api-base-url is refused (%s): every call for an instance without"
                        + " an endpoint of its own will fail as ENDPOINT_REFUSED",
                    reason));
  }

  /** Why {@code baseUrl} may not be called, or empty when it may. */
  public Optional<String> refusal(String baseUrl) {
    URI uri;
    try {
      uri = new URI(baseUrl);
    } catch (URISyntaxException | NullPointerException e) {
      return Optional.of("apiBaseUrl is not a URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !(scheme.equals("http") && !requireHttps)) {
      return Optional.of(
          requireHttps ? "apiBaseUrl must be an https URL" : "apiBaseUrl must be an http(s) URL");
    }
    if (uri.getHost() == null
        || uri.getRawUserInfo() != null
        || uri.getRawQuery() != null
        || uri.getRawFragment() != null) {
      return Optional.of("apiBaseUrl must name a host, without credentials, query or fragment");
    }
    if (!hosts.allows(uri.getHost())) {
      return Optional.of(
          "apiBaseUrl host " + uri.getHost() + " is not on poller.amc.allowed-api-hosts");
    }
    return Optional.empty();
  }

  /** The URL an instance's calls go to: its own endpoint, else the configured default. */
  public String effective(String instanceBaseUrl) {
    return instanceBaseUrl == null ? defaultBaseUrl : normalize(instanceBaseUrl);
  }

  /** One spelling per endpoint, so a trailing slash does not make two URLs differ. */
  public static String normalize(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
