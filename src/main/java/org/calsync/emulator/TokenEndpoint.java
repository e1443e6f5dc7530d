package org.calsync.emulator;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Google's OAuth endpoints: POST /token (grant_type=refresh_token, and authorization_code for codes issued by
 * {@link AuthorizationEndpoint}, see {@link #authorizationCode}; client credentials in the form or as HTTP
 * Basic; any registered client, a refresh token only works with the client it was issued to; the service-account
 * JWT-bearer grant: {@link JwtBearerGrant}) and POST /revoke (token in the query or the form). Errors use the RFC 6749 shape
 * {@code {"error":..., "error_description":...}}.
 */
final class TokenEndpoint {
  static final String SCOPE = "https://www.googleapis.com/auth/calendar";

  private final EmulatorState state;
  private final JwtBearerGrant jwtBearer;

  TokenEndpoint(EmulatorState state) {
    this.state = state;
    this.jwtBearer = new JwtBearerGrant(state);
  }

  void mount(Router router) {
    router.post("/token").handler(this::token);
    router.post("/revoke").handler(this::revoke);
  }

  private void token(RoutingContext ctx) {
    MultiMap form = ctx.request().formAttributes();
    String clientId = form.get("client_id");
    String clientSecret = form.get("client_secret");
    String basic = ctx.request().getHeader("Authorization");
    if (clientId == null && basic != null && basic.regionMatches(true, 0, "Basic ", 0, 6)) {
      String decoded;
      try {
        decoded = new String(Base64.getDecoder().decode(basic.substring(6).trim()), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        decoded = ""; // not Base64: no client id could be read from it
      }
      int colon = decoded.indexOf(':');
      if (colon > 0) {
        clientId = decoded.substring(0, colon);
        clientSecret = decoded.substring(colon + 1);
      }
    }
    String grantType = form.get("grant_type");
    if (grantType == null) {
      oauthError(ctx, 400, "invalid_request", "Required parameter is missing: grant_type");
      return;
    }
    if (grantType.equals(JwtBearerGrant.GRANT_TYPE)) {
      jwtBearer.handle(ctx, form);
      return;
    }
    if (!grantType.equals("refresh_token") && !grantType.equals("authorization_code")) {
      oauthError(ctx, 400, "unsupported_grant_type", "Invalid grant_type: " + grantType);
      return;
    }
    if (clientId == null) {
      oauthError(ctx, 400, "invalid_request", "Could not determine client ID from request.");
      return;
    }
    EmulatorOptions o = state.options();
    String expectedSecret = state.clientSecret(clientId);
    if (expectedSecret == null) {
      oauthError(ctx, 401, "invalid_client", "The OAuth client was not found.");
      return;
    }
    if (clientSecret == null || !clientSecret.equals(expectedSecret)) {
      oauthError(ctx, 401, "invalid_client", "Unauthorized");
      return;
    }
    if (grantType.equals("authorization_code")) {
      authorizationCode(ctx, form, clientId);
      return;
    }
    String refreshToken = form.get("refresh_token");
    if (refreshToken == null || refreshToken.isEmpty()) {
      oauthError(ctx, 400, "invalid_request", "Missing required parameter: refresh_token");
      return;
    }
    String issuedTo = state.clientOf(refreshToken);
    if (issuedTo != null && !issuedTo.equals(clientId)) {
      // SPEC 8.3: the token belongs to another client (RFC 6749 status 400; 401 has also been reported)
      oauthError(ctx, 400, "unauthorized_client", "Unauthorized");
      return;
    }
    long now = System.currentTimeMillis();
    EmulatorState.Grant g = state.refresh(refreshToken, now);
    if (g == null) {
      oauthError(ctx, 400, "invalid_grant", "Token has been expired or revoked.");
      return;
    }
    ctx.response().putHeader("Cache-Control", "no-cache, no-store, max-age=0, must-revalidate").putHeader("Pragma", "no-cache");
    JsonObject reply = new JsonObject().put("access_token", g.accessToken())
      .put("expires_in", o.accessTokenTtlSeconds()).put("scope", state.scopeOf(refreshToken)).put("token_type", "Bearer");
    if (g.newRefreshToken() != null) reply.put("refresh_token", g.newRefreshToken());
    Http.json(ctx, 200, reply);
  }

  /**
   * grant_type=authorization_code: redeems the code ({@link Consents#redeem}: single use, its client, its redirect URI,
   * its PKCE verifier, 10 minutes) and answers access_token, expires_in, refresh_token (access_type=offline),
   * scope (granted), token_type and, when a sign-in scope was granted, an RS256 id_token.
   */
  private void authorizationCode(RoutingContext ctx, MultiMap form, String clientId) {
    long now = System.currentTimeMillis();
    Consents.Code c;
    try {
      c = state.consents().redeem(form.get("code"), clientId, form.get("redirect_uri"), form.get("code_verifier"), now);
    } catch (Consents.Refusal r) {
      oauthError(ctx, r.status, r.error, r.getMessage());
      return;
    }
    EmulatorState.Grant g = state.exchange(c.user(), clientId, c.scope(), c.offline(), now);
    JsonObject reply = new JsonObject().put("access_token", g.accessToken())
      .put("expires_in", state.options().accessTokenTtlSeconds());
    if (g.newRefreshToken() != null) reply.put("refresh_token", g.newRefreshToken());
    reply.put("scope", c.scope()).put("token_type", "Bearer");
    if (c.scope().contains(Consents.OPENID) || c.scope().contains(Consents.EMAIL) || c.scope().contains(Consents.PROFILE)) {
      reply.put("id_token", state.idTokens().issue(c.idTokenIssuer(), clientId, c.user(), c.nonce(),
        g.accessToken(), now / 1000));
    }
    ctx.response().putHeader("Cache-Control", "no-cache, no-store, max-age=0, must-revalidate").putHeader("Pragma", "no-cache");
    Http.json(ctx, 200, reply);
  }

  private void revoke(RoutingContext ctx) {
    String token = ctx.request().getParam("token");
    if (token == null) token = ctx.request().formAttributes().get("token");
    if (token == null || !state.revokeAny(token)) {
      oauthError(ctx, 400, "invalid_token", "Token expired or revoked");
      return;
    }
    Http.json(ctx, 200, new JsonObject());
  }

  static void oauthError(RoutingContext ctx, int status, String error, String description) {
    Http.send(ctx, status, new JsonObject().put("error", error).put("error_description", description).toBuffer());
  }
}
