package org.calsync.google;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.oauth2.OAuth2Auth;
import io.vertx.ext.auth.oauth2.OAuth2AuthorizationURL;
import io.vertx.ext.auth.oauth2.OAuth2FlowType;
import io.vertx.ext.auth.oauth2.OAuth2Options;
import io.vertx.ext.auth.oauth2.Oauth2Credentials;
import java.util.List;
import java.util.Set;
import org.calsync.config.ConsentConfig;
import org.calsync.config.GoogleConfig;

/**
 * Google's authorization-code flow for web-server apps, with vertx-auth-oauth2: the authorization URL (offline access,
 * forced consent, incremental scopes, PKCE S256) and the code exchange, whose ID token OAuth2Auth verifies against
 * Google's published keys (signature by kid, audience = our client id); issuer ({@link #ISSUERS}) and expiry are checked
 * here. The JWKS is
 * fetched again before each exchange, so Google's key rotation never fails a consent. These calls use OAuth2Auth's own
 * HTTP client, not the Calendar API throttle.
 */
public final class GoogleConsent {
  public static final String ISSUER = "https://accounts.google.com";
  /** The ID token's iss is one of these (Google: "accounts.google.com or https://accounts.google.com"), nothing else. */
  public static final Set<String> ISSUERS = Set.of(ISSUER, "accounts.google.com");
  public static final String CALENDAR = "https://www.googleapis.com/auth/calendar";
  public static final String CALENDAR_READONLY = "https://www.googleapis.com/auth/calendar.readonly";
  /** Requested: sign-in (the account) plus calendar read+write, and read-only so a user can grant just that. */
  public static final List<String> SCOPES = List.of("openid", "email", CALENDAR, CALENDAR_READONLY);

  /** What a consent returned, the ID token verified. */
  public record Grant(String refreshToken, String accessToken, String scope, String sub, String email, boolean emailVerified) {
    /** Read and write access to events (the calendar scope or calendar.events). */
    public boolean canWrite() {
      return has(CALENDAR) || has("https://www.googleapis.com/auth/calendar.events");
    }

    /** At least read access to calendars and events. */
    public boolean canRead() {
      return canWrite() || has(CALENDAR_READONLY)
          || (has("https://www.googleapis.com/auth/calendar.events.readonly") && has("https://www.googleapis.com/auth/calendar.calendarlist.readonly"));
    }

    private boolean has(String s) {
      return scope != null && List.of(scope.split(" ")).contains(s);
    }

    @Override
    public String toString() {
      return "Grant[scope=" + scope + ", sub=" + sub + ", email=" + email + "]";
    }
  }

  private final OAuth2Auth oauth;
  private final String clientId;

  public GoogleConsent(Vertx vertx, GoogleConfig google, ConsentConfig consent) {
    this.clientId = google.clientId();
    this.oauth = OAuth2Auth.create(vertx, new OAuth2Options()
        .setClientId(google.clientId()).setClientSecret(google.clientSecret())
        .setAuthorizationPath(consent.authorizationUrl()).setTokenPath(google.tokenUrl()).setJwkPath(consent.jwksUrl())
        .setJWTOptions(new JWTOptions().setLeeway(60)).setUserAgent(Google.USER_AGENT));
  }

  /** Where to send the browser: {@link #SCOPES}, access_type=offline, prompt=consent, include_granted_scopes, PKCE S256. */
  public String authorizeUrl(String redirectUri, String state, String codeChallenge, String loginHint) {
    return oauth.authorizeURL(new OAuth2AuthorizationURL().setRedirectUri(redirectUri).setScopes(SCOPES).setState(state)
        .setCodeChallenge(codeChallenge).setCodeChallengeMethod("S256").setPrompt("consent").setLoginHint(loginHint)
        .putAdditionalParameter("access_type", "offline").putAdditionalParameter("include_granted_scopes", "true"));
  }

  /**
   * Exchanges the code. Fails with {@link ConsentException} when Google refuses it or the ID token cannot be verified
   * (bad signature, unknown key, issuer, audience, expired).
   */
  public Future<Grant> exchange(String code, String redirectUri, String codeVerifier) {
    return oauth.jWKSet()
        .recover(err -> Future.failedFuture(new ConsentException("Google's ID-token keys could not be fetched: "
            + Redaction.text(String.valueOf(err.getMessage())))))
        .compose(v -> oauth.authenticate(new Oauth2Credentials().setFlow(OAuth2FlowType.AUTH_CODE).setCode(code)
                .setRedirectUri(redirectUri).setCodeVerifier(codeVerifier))
            .recover(err -> Future.failedFuture(new ConsentException("Google refused the authorization code: "
                + Redaction.text(String.valueOf(err.getMessage()))))))
        .compose(this::grant);
  }

  private Future<Grant> grant(User user) {
    JsonObject principal = user.principal();
    JsonObject id = user.attributes().getJsonObject("idToken");
    if (id == null) return Future.failedFuture(new ConsentException("the ID token is missing or failed verification"));
    long now = System.currentTimeMillis() / 1000;
    if (id.getLong("exp", 0L) + 60 < now) return Future.failedFuture(new ConsentException("the ID token has expired"));
    if (!ISSUERS.contains(String.valueOf(id.getValue("iss"))) || !clientId.equals(audience(id))) {
      return Future.failedFuture(new ConsentException("the ID token was not issued by Google to this client"));
    }
    String sub = id.getString("sub");
    if (sub == null || sub.isBlank()) return Future.failedFuture(new ConsentException("the ID token names no account"));
    return Future.succeededFuture(new Grant(principal.getString("refresh_token"), principal.getString("access_token"),
        principal.getString("scope"), sub, id.getString("email"), Boolean.TRUE.equals(id.getValue("email_verified"))));
  }

  private static String audience(JsonObject id) {
    Object aud = id.getValue("aud");
    if (aud instanceof String s) return s;
    if (aud instanceof io.vertx.core.json.JsonArray a && a.size() == 1) return a.getString(0);
    return null;
  }

  /** A consent that cannot be completed: the message is safe to show and log (no tokens). */
  public static final class ConsentException extends RuntimeException {
    public ConsentException(String message) {
      super(message, null, false, false);
    }
  }
}
