package io.executionpoller.support;

import static io.restassured.RestAssured.given;

import io.restassured.specification.RequestSpecification;

/** Requests to the admin API with the tokens the test profile configures. */
public final class Api {

  /** Configured in plain text as a viewer token. */
  public static final String VIEWER_TOKEN = "test-viewer-token-0001";

  /** Configured only as its sha256 hash as an operator token. */
  public static final String OPERATOR_TOKEN = "test-operator-token-0001";

  private Api() {}

  public static RequestSpecification viewer() {
    return bearer(VIEWER_TOKEN);
  }

  public static RequestSpecification operator() {
    return bearer(OPERATOR_TOKEN);
  }

  public static RequestSpecification bearer(String token) {
    return given().header("Authorization", "Bearer " + token);
  }
}
