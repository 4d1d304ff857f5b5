package io.executionpoller.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TokenRegistryTest {

  private static final String VIEWER = "viewer-token-abcdef";
  private static final String OPERATOR = "operator-token-123456";
  private static final String HASHED_OPERATOR = "hashed-operator-token-xyz";

  private static final TokenRegistry REGISTRY =
      TokenRegistry.of(
          List.of(VIEWER),
          List.of(
              OPERATOR,
              "sha256:" + HexFormat.of().formatHex(TokenRegistry.sha256(HASHED_OPERATOR))));

  static Stream<Arguments> presented() {
    return Stream.of(
        Arguments.of(VIEWER, Role.VIEWER),
        Arguments.of(OPERATOR, Role.OPERATOR),
        Arguments.of(HASHED_OPERATOR, Role.OPERATOR),
        Arguments.of(VIEWER + " ", null),
        Arguments.of(VIEWER.toUpperCase(), null),
        Arguments.of(VIEWER.substring(1), null),
        Arguments.of("", null),
        Arguments.of(null, null),
        // The configured hash itself is not a token.
        Arguments.of(
            "sha256:" + HexFormat.of().formatHex(TokenRegistry.sha256(HASHED_OPERATOR)), null));
  }

  @ParameterizedTest
  @MethodSource("presented")
  void shouldAuthenticateOnlyConfiguredTokens(String token, Role expected) {
    Optional<Caller> caller = REGISTRY.authenticate(token);
    assertThat(caller.map(Caller::role).orElse(null)).isEqualTo(expected);
  }

  @ParameterizedTest
  @MethodSource("presented")
  void shouldNeverPutTheTokenInTheCallerName(String token, Role expected) {
    REGISTRY
        .authenticate(token)
        .ifPresent(
            caller -> {
              assertThat(caller.name()).startsWith(expected.name().toLowerCase() + ":");
              assertThat(caller.name())
                  .doesNotContain(token)
                  .hasSize(expected.name().length() + 1 + 8);
            });
  }

  static Stream<Arguments> malformed() {
    return Stream.of(
        Arguments.of(List.of("tiny-token"), List.of(), "viewer token #1 is shorter than 16"),
        Arguments.of(
            List.of(VIEWER), List.of(OPERATOR, "sha256:abc"), "operator token #2 starts with"),
        Arguments.of(List.of("sha256:" + "g".repeat(64)), List.of(), "viewer token #1 starts with"),
        Arguments.of(List.of(), List.of("sha256:" + "a".repeat(63)), "operator token #1"));
  }

  @ParameterizedTest
  @MethodSource("malformed")
  void shouldRejectMalformedEntriesWithoutQuotingThem(
      List<String> viewers, List<String> operators, String message) {
    assertThatThrownBy(() -> TokenRegistry.of(viewers, operators))
        .hasMessageContaining(message)
        .satisfies(
            e -> {
              for (String entry : viewers) {
                assertThat(e.getMessage()).doesNotContain(entry);
              }
              for (String entry : operators) {
                assertThat(e.getMessage()).doesNotContain(entry);
              }
            });
  }

  @ParameterizedTest
  @MethodSource("headers")
  void shouldReadBearerAndBasicHeaders(String header, String token) {
    assertThat(AuthorizationHeader.token(header).orElse(null)).isEqualTo(token);
  }

  static Stream<Arguments> headers() {
    return Stream.of(
        Arguments.of("Bearer abc", "abc"),
        Arguments.of("bearer   abc  ", "abc"),
        Arguments.of("BEARER abc", "abc"),
        Arguments.of("Bearer", null),
        Arguments.of("Bearer ", null),
        Arguments.of("Token abc", null),
        Arguments.of(null, null),
        Arguments.of("", null),
        Arguments.of("Basic " + basic("anyone:the-token"), "the-token"),
        Arguments.of("Basic " + basic(":the-token"), "the-token"),
        Arguments.of("Basic " + basic("user:pa:ss"), "pa:ss"),
        Arguments.of("Basic " + basic("user:"), null),
        Arguments.of("Basic " + basic("no-colon"), null),
        Arguments.of("Basic !!!not-base64", null));
  }

  private static String basic(String userAndPassword) {
    return Base64.getEncoder().encodeToString(userAndPassword.getBytes(StandardCharsets.UTF_8));
  }
}
