package io.executionpoller.notify;

import io.executionpoller.db.StoredText;
import io.executionpoller.results.parse.HostAllowList;
import jakarta.inject.Singleton;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Where webhooks may go. A URL must be https (unless poller.notifications.require-https is off),
 * carry no credentials or fragment, and name a host on poller.notifications.allowed-hosts; with no
 * list nothing is allowed. At send time the name is resolved and every address checked again, so a
 * DNS answer cannot turn an allowed name into a loopback, link-local, wildcard or multicast address
 * unless that address is itself on the list; the request then goes to the address that was checked.
 */
@Singleton
public class WebhookTargets {

  private final HostAllowList hosts;
  private final Set<InetAddress> listedAddresses;
  private final boolean requireHttps;

  WebhookTargets(NotificationsConfig config) {
    List<String> listed = config.allowedHosts().orElse(List.of());
    this.hosts = HostAllowList.of(listed);
    this.listedAddresses =
        listed.stream()
            .map(WebhookTargets::literalAddress)
            .flatMap(Optional::stream)
            .collect(Collectors.toUnmodifiableSet());
    this.requireHttps = config.requireHttps();
  }

  /** An IP literal of the list as an address; a name is never looked up here. */
  private static Optional<InetAddress> literalAddress(String entry) {
    String text = entry.trim();
    if (text.startsWith("[") && text.endsWith("]")) {
      text = text.substring(1, text.length() - 1);
    }
    boolean literal =
        text.matches("\\d{1,3}(\\.\\d{1,3}){3}")
            || (text.contains(":") && text.matches("[0-9a-fA-F:.]+"));
    if (!literal) {
      return Optional.empty();
    }
    try {
      return Optional.of(InetAddress.getByName(text));
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  /** Why {@code url} may not be a webhook target, or empty when it may. */
  public Optional<String> refusal(String url) {
    // Stored through the one sanitising function, a URL must come out as it went in: the URL
    // checked here is then the one sent to.
    if (url != null && !url.equals(StoredText.of(url))) {
      return Optional.of("url holds characters that cannot be stored, or is too long");
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException | NullPointerException e) {
      return Optional.of("url is not a URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !(scheme.equals("http") && !requireHttps)) {
      return Optional.of(requireHttps ? "url must be https" : "url must be http(s)");
    }
    if (uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawFragment() != null) {
      return Optional.of("url must name a host, without credentials or fragment");
    }
    if (!hosts.allows(uri.getHost())) {
      return Optional.of(
          "url host " + uri.getHost() + " is not on poller.notifications.allowed-hosts");
    }
    return Optional.empty();
  }

  /**
   * The address to connect to for {@code host}: the first one it resolves to, provided none of its
   * addresses is internal (unless listed as an address).
   *
   * @throws RefusedTarget when an address is refused or the name does not resolve
   */
  InetAddress resolve(String host) throws RefusedTarget {
    InetAddress[] addresses;
    try {
      addresses = InetAddress.getAllByName(host);
    } catch (UnknownHostException e) {
      throw new RefusedTarget("host " + host + " does not resolve");
    }
    for (InetAddress address : addresses) {
      if (internal(address) && !listedAsAddress(address)) {
        throw new RefusedTarget(
            "host " + host + " resolves to " + address.getHostAddress() + ", which is not allowed");
      }
    }
    return addresses[0];
  }

  /**
   * Addresses a webhook must not reach unless an operator lists them: loopback, link-local (cloud
   * metadata), unspecified, multicast, private networks (10/8, 172.16/12, 192.168/16, IPv6 unique
   * local fc00::/7 such as AWS's fd00:ec2::254), carrier-grade NAT 100.64/10, and the IPv6 forms
   * that carry an IPv4 address inside (NAT64 64:ff9b::/96, IPv4-compatible ::/96).
   */
  static boolean internal(InetAddress address) {
    if (address.isLoopbackAddress()
        || address.isLinkLocalAddress()
        || address.isAnyLocalAddress()
        || address.isMulticastAddress()
        || address.isSiteLocalAddress()) {
      return true;
    }
    byte[] b = address.getAddress();
    if (b.length == 4) {
      return (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64;
    }
    boolean uniqueLocal = (b[0] & 0xfe) == 0xfc;
    boolean nat64 =
        (b[0] & 0xff) == 0x00
            && (b[1] & 0xff) == 0x64
            && (b[2] & 0xff) == 0xff
            && b[3] == (byte) 0x9b
            && allZero(b, 4, 12);
    boolean ipv4Compatible = allZero(b, 0, 12);
    return uniqueLocal || nat64 || ipv4Compatible;
  }

  private static boolean allZero(byte[] bytes, int from, int to) {
    for (int i = from; i < to; i++) {
      if (bytes[i] != 0) {
        return false;
      }
    }
    return true;
  }

  private boolean listedAsAddress(InetAddress address) {
    return listedAddresses.contains(address);
  }

  /** A target this daemon will not send to; the message says why and holds no secret. */
  static final class RefusedTarget extends Exception {
    RefusedTarget(String reason) {
      super(reason, null, false, false);
    }
  }
}
