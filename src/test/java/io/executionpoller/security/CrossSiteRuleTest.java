package io.executionpoller.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which requests a browser may have been made to send by another site's page. */
class CrossSiteRuleTest {

  @ParameterizedTest(name = "{0} {1} fetch-site={2} origin={3} xrw={5}: {6}")
  @CsvSource(
      nullValues = "-",
      value = {
        // method, authorization, Sec-Fetch-Site, Origin, Host, X-Requested-With, allowed
        "GET,  Basic djp0, cross-site, https://evil.example, poller:8080, -, true",
        "HEAD, Basic djp0, cross-site, -, poller:8080, -, true",
        "POST, Bearer t, -, -, poller:8080, -, true",
        "POST, Bearer t, same-origin, http://poller:8080, poller:8080, -, true",
        "POST, Bearer t, cross-site, -, poller:8080, -, false",
        "POST, Bearer t, -, https://evil.example, poller:8080, -, false",
        "POST, Basic djp0, same-origin, http://poller:8080, poller:8080, XMLHttpRequest, true",
        "POST, Basic djp0, -, -, poller:8080, XMLHttpRequest, true",
        "POST, Basic djp0, -, -, poller:8080, -, false",
        "POST, basic djp0, same-origin, http://poller:8080, poller:8080, -, false",
        "POST, Basic djp0, cross-site, https://evil.example, poller:8080, XMLHttpRequest, false",
        "POST, Basic djp0, same-site, http://other.poller:8080, poller:8080, XMLHttpRequest, false",
        "DELETE, Basic djp0, -, null, poller:8080, XMLHttpRequest, false",
        "PUT, Basic djp0, none, -, poller:8080, XMLHttpRequest, true",
        "POST, Basic djp0, -, https://poller, poller:443, XMLHttpRequest, true",
        "POST, Basic djp0, -, http://poller, poller, XMLHttpRequest, true",
        "POST, Basic djp0, -, http://poller:8081, poller:8080, XMLHttpRequest, false",
      })
  void shouldRefuseChangesAnotherSitesPageCouldHaveSent(
      String method,
      String authorization,
      String fetchSite,
      String origin,
      String host,
      String requestedWith,
      boolean allowed) {
    assertThat(
            CrossSiteRule.allows(
                new CrossSiteRule.Request(
                    method, authorization, fetchSite, origin, host, requestedWith)))
        .isEqualTo(allowed);
  }
}
