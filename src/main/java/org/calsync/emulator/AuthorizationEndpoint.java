package org.calsync.emulator;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Google's browser side of OAuth for web-server apps: {@code GET /o/oauth2/v2/auth} (accounts.google.com) answers the
 * consent screen as {@link Consents#answer()} says and redirects (302) to redirect_uri with {@code code}, {@code scope}
 * (granted, space-separated) and {@code state}, or with {@code error=access_denied}; requests Google would not redirect
 * for (missing or unknown client, missing or bad redirect URI, missing or unsupported response_type, missing or invalid
 * scope) get an HTML error page. {@code GET /oauth2/v3/certs}
 * (www.googleapis.com) publishes the ID-token signing keys.
 */
final class AuthorizationEndpoint {
  static final String PATH = "/o/oauth2/v2/auth";
  static final String CERTS = "/oauth2/v3/certs";
  /** Scopes other than openid and the short email/profile are URLs under this prefix; others are invalid_scope. */
  private static final String SCOPE_PREFIX = "https://www.googleapis.com/auth/";

  private final EmulatorState state;

  AuthorizationEndpoint(EmulatorState state) {
    this.state = state;
  }

  void mount(Router router) {
    router.get(PATH).handler(this::authorize);
    router.get(CERTS).handler(ctx -> {
      ctx.response().putHeader("Cache-Control", "public, max-age=21600, must-revalidate, no-transform");
      Http.send(ctx, 200, state.idTokens().jwks().toBuffer());
    });
  }

  private void authorize(RoutingContext ctx) {
    MultiMap q = ctx.request().params();
    String clientId = q.get("client_id");
    if (clientId == null) {
      page(ctx, 400, "invalid_request", "Missing required parameter: client_id");
      return;
    }
    if (state.clientSecret(clientId) == null) {
      page(ctx, 401, "invalid_client", "The OAuth client was not found.");
      return;
    }
    String redirectUri = q.get("redirect_uri");
    if (redirectUri == null) {
      page(ctx, 400, "invalid_request", "Missing required parameter: redirect_uri");
      return;
    }
    if (!validRedirect(redirectUri)) {
      page(ctx, 400, "redirect_uri_mismatch", "You can't sign in to this app because it doesn't comply with Google's OAuth 2.0 policy.");
      return;
    }
    // Google shows its error page (no redirect) for a missing or invalid response_type or scope
    String responseType = q.get("response_type");
    if (responseType == null) {
      page(ctx, 400, "invalid_request", "Required parameter is missing: response_type");
      return;
    }
    if (!"code".equals(responseType)) {
      page(ctx, 400, "unsupported_response_type", "Invalid response_type: " + responseType);
      return;
    }
    String scope = q.get("scope");
    if (scope == null || scope.isBlank()) {
      page(ctx, 400, "invalid_request", "Missing required parameter: scope");
      return;
    }
    List<String> requested = new ArrayList<>();
    List<String> invalid = new ArrayList<>();
    for (String s : scope.trim().split("\\s+")) {
      String full = Consents.normalize(s);
      (full.equals(Consents.OPENID) || full.startsWith(SCOPE_PREFIX) ? requested : invalid).add(full);
    }
    if (!invalid.isEmpty()) {
      page(ctx, 400, "invalid_scope", "Some requested scopes were invalid. {valid=" + requested + ", invalid=" + invalid + "}");
      return;
    }
    String st = q.get("state");
    String challenge = q.get("code_challenge");
    String method = q.get("code_challenge_method");
    if (challenge != null && method != null && !Set.of("S256", "plain").contains(method)) {
      page(ctx, 400, "invalid_request", "Invalid code_challenge_method value.");
      return;
    }
    Consents consents = state.consents();
    Consents.Answer answer = consents.answer();
    String user = answer.user() != null ? answer.user() : state.knownUser(q.get("login_hint"));
    if (user == null) {
      page(ctx, 400, "invalid_request", "No account to sign in with: send login_hint of a known user or choose one with "
        + "POST /admin/consent {\"user\"}.");
      return;
    }
    if (answer.outcome().equals("deny")) {
      redirect(ctx, redirectUri, "error=access_denied", st);
      return;
    }
    Set<String> granted = consents.grant(user, clientId, requested, "true".equals(q.get("include_granted_scopes")));
    String grantedScope = String.join(" ", granted);
    String code = consents.issue(new Consents.Code(clientId, redirectUri, user, grantedScope, challenge,
      challenge == null ? null : method == null ? "plain" : method, q.get("nonce"), "offline".equals(q.get("access_type")),
      System.currentTimeMillis() + consents.codeTtlMs(), answer.idTokenIssuer()));
    redirect(ctx, redirectUri, "code=" + enc(code) + "&scope=" + enc(grantedScope) + "&authuser=0&prompt=consent", st);
  }

  private static boolean validRedirect(String uri) {
    if (uri == null) return false;
    try {
      URI u = URI.create(uri);
      return u.getHost() != null && u.getFragment() == null && ("http".equals(u.getScheme()) || "https".equals(u.getScheme()));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static void redirect(RoutingContext ctx, String redirectUri, String query, String st) {
    String sep = redirectUri.contains("?") ? "&" : "?";
    String location = redirectUri + sep + (st == null ? "" : "state=" + enc(st) + "&") + query;
    ctx.response().setStatusCode(302).putHeader("Location", location).putHeader("Cache-Control", "no-cache, no-store").end();
  }

  /** Google's error page ("Access blocked: ... Error 400: redirect_uri_mismatch"), without redirecting. */
  private static void page(RoutingContext ctx, int status, String error, String detail) {
    HttpServerRequest r = ctx.request();
    r.response().setStatusCode(status).putHeader("content-type", "text/html; charset=UTF-8")
      .end("<!doctype html><title>Error " + status + ": " + error + "</title><h1>Access blocked: authorization error</h1>"
        + "<p>Error " + status + ": " + error + "</p><p>" + escape(detail) + "</p>");
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
