package org.calsync.emulator;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.Set;

/**
 * The JWT-bearer grant of /token (grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer, assertion=JWT), as Google
 * answers it for service accounts and domain-wide delegation. The assertion is an RS256 JWT signed by a key of a
 * registered service account ({@link ServiceAccounts}): iss = its e-mail, aud = Google's token URI or this emulator's
 * /token URL, iat/exp at most 65 minutes apart and not expired, scope = space-separated scopes, sub = the domain user
 * to impersonate (optional). Error bodies are those of Google's "JWT error codes" table. The reply has no refresh token.
 */
final class JwtBearerGrant {
  static final String GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer";
  static final String NOT_AUTHORIZED = "Client is unauthorized to retrieve access tokens using this method, or client not "
    + "authorized for any of the scopes requested.";
  static final String BAD_TIMES = "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. "
    + "Check your 'iat' and 'exp' values and use a clock with skew to account for clock differences between systems.";
  /** Google refuses exp more than 65 minutes after iat. */
  private static final long MAX_LIFETIME_SECONDS = 65 * 60;
  /** Tolerated clock difference for iat in the future. */
  private static final long SKEW_SECONDS = 300;

  private final EmulatorState state;

  JwtBearerGrant(EmulatorState state) {
    this.state = state;
  }

  void handle(RoutingContext ctx, MultiMap form) {
    String assertion = form.get("assertion");
    if (assertion == null || assertion.isEmpty()) {
      TokenEndpoint.oauthError(ctx, 400, "invalid_request", "Missing required parameter: assertion");
      return;
    }
    Jwt jwt = Jwt.parse(assertion);
    if (jwt == null) {
      TokenEndpoint.oauthError(ctx, 400, "invalid_grant", "Invalid JWT: malformed assertion");
      return;
    }
    ServiceAccounts.Account account = state.serviceAccounts().byEmail(jwt.claims().getValue("iss") instanceof String s ? s : null);
    if (account == null) {
      TokenEndpoint.oauthError(ctx, 400, "invalid_grant", "Invalid JWT: No valid verifier found for issuer.");
      return;
    }
    if (!"RS256".equals(jwt.header().getString("alg")) || !jwt.signedBy(account, jwt.header().getValue("kid"))) {
      TokenEndpoint.oauthError(ctx, 400, "invalid_grant", "Invalid JWT Signature.");
      return;
    }
    Object aud = jwt.claims().getValue("aud");
    String own = ctx.request().scheme() + "://" + ctx.request().authority() + "/token";
    if (!ServiceAccounts.GOOGLE_TOKEN_URI.equals(aud) && !own.equals(aud)) {
      TokenEndpoint.oauthError(ctx, 400, "invalid_grant", "Invalid JWT: Failed audience check.");
      return;
    }
    long now = System.currentTimeMillis() / 1000;
    if (!(jwt.claims().getValue("iat") instanceof Number iat) || !(jwt.claims().getValue("exp") instanceof Number exp)
      || exp.longValue() <= iat.longValue() || exp.longValue() - iat.longValue() > MAX_LIFETIME_SECONDS
      || exp.longValue() <= now || iat.longValue() > now + SKEW_SECONDS) {
      TokenEndpoint.oauthError(ctx, 400, "invalid_grant", BAD_TIMES);
      return;
    }
    String scope = jwt.claims().getValue("scope") instanceof String s ? s.trim() : "";
    if (scope.isEmpty()) {
      TokenEndpoint.oauthError(ctx, 400, "invalid_scope", "Invalid OAuth scope or ID token audience provided.");
      return;
    }
    String subject = account.email();
    if (jwt.claims().getValue("sub") instanceof String sub && !sub.equals(account.email())) {
      Collection<String> requested = Arrays.asList(scope.split("\\s+"));
      Set<String> authorized = state.serviceAccounts().authorizedScopes(account.clientId());
      if (requested.stream().noneMatch(authorized::contains)) {
        TokenEndpoint.oauthError(ctx, 401, "unauthorized_client", NOT_AUTHORIZED);
        return;
      }
      if (!authorized.containsAll(requested)) {
        TokenEndpoint.oauthError(ctx, 400, "access_denied", "Requested client not authorized.");
        return;
      }
      if (!state.hasUser(sub)) {
        TokenEndpoint.oauthError(ctx, 400, "invalid_grant", "Invalid email or User ID");
        return;
      }
      subject = sub;
    }
    EmulatorState.Grant g = state.issueAccessToken(subject, scope, System.currentTimeMillis());
    ctx.response().putHeader("Cache-Control", "no-cache, no-store, max-age=0, must-revalidate").putHeader("Pragma", "no-cache");
    Http.json(ctx, 200, new JsonObject().put("access_token", g.accessToken())
      .put("expires_in", state.options().accessTokenTtlSeconds()).put("token_type", "Bearer"));
  }

  /** A compact JWS: header, claims, the signed bytes and the signature. */
  private record Jwt(JsonObject header, JsonObject claims, byte[] signed, byte[] signature) {
    static Jwt parse(String compact) {
      String[] parts = compact.split("\\.", -1);
      if (parts.length != 3) return null;
      try {
        Base64.Decoder d = Base64.getUrlDecoder();
        return new Jwt(new JsonObject(new String(d.decode(parts[0]), StandardCharsets.UTF_8)),
          new JsonObject(new String(d.decode(parts[1]), StandardCharsets.UTF_8)),
          (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII), d.decode(parts[2]));
      } catch (RuntimeException e) {
        return null;
      }
    }

    /** True when one of the account's keys (the one named by kid, when it names one) verifies the signature. */
    boolean signedBy(ServiceAccounts.Account account, Object kid) {
      if (kid != null && !account.keys().containsKey(kid)) return false; // a deleted key, or another account's
      Collection<PublicKey> keys = kid != null ? Set.of(account.keys().get(kid)) : account.keys().values();
      for (PublicKey key : keys) {
        try {
          Signature s = Signature.getInstance("SHA256withRSA");
          s.initVerify(key);
          s.update(signed);
          if (s.verify(signature)) return true;
        } catch (GeneralSecurityException e) {
          // not this key
        }
      }
      return false;
    }
  }
}
