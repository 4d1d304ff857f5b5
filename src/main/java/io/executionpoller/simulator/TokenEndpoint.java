package io.executionpoller.simulator;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/**
 * LwA's token endpoint: a refresh_token grant for the configured client answers a bearer token,
 * anything else the OAuth error LwA gives ({@code invalid_grant} 400, {@code invalid_client} 401).
 */
final class TokenEndpoint {

  private final TokenIssuer tokens;
  private final SimulatorConfig config;

  TokenEndpoint(TokenIssuer tokens, SimulatorConfig config) {
    this.tokens = tokens;
    this.config = config;
  }

  void handle(RoutingContext ctx) {
    var form = ctx.request().formAttributes();
    if (!"refresh_token".equals(form.get("grant_type"))) {
      oauthError(ctx, 400, "unsupported_grant_type", "grant_type must be refresh_token");
      return;
    }
    Optional<String> token =
        tokens.issue(form.get("client_id"), form.get("client_secret"), form.get("refresh_token"));
    if (token.isEmpty()) {
      boolean clientOk =
          config.clientId().equals(form.get("client_id"))
              && config.clientSecret().equals(form.get("client_secret"));
      String error =
          tokens.credentialRejection().orElse(clientOk ? "invalid_grant" : "invalid_client");
      if ("invalid_grant".equals(error)) {
        oauthError(
            ctx,
            400,
            "invalid_grant",
            "The request has an invalid grant parameter : refresh_token");
      } else {
        oauthError(ctx, 401, "invalid_client", "Client authentication failed");
      }
      return;
    }
    Answer.json(
        ctx,
        200,
        new JsonObject()
            .put("access_token", token.get())
            .put("token_type", "bearer")
            .put("expires_in", config.tokenLifetime().toSeconds())
            .put("refresh_token", config.refreshToken()));
  }

  private static void oauthError(RoutingContext ctx, int status, String error, String description) {
    Answer.json(
        ctx, status, new JsonObject().put("error_description", description).put("error", error));
  }
}
