package org.calsync.google;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.calsync.config.GoogleConfig;

/**
 * Google's OAuth 2.0 token endpoint (refresh grant, service-account JWT-bearer grant) and revoke endpoint, on {@link Google}'s WebClient. These
 * endpoints do not count against the Calendar API quota, so calls bypass the throttle and are not retried here (the
 * caller decides); they are counted in calsync_google_calls_total. Errors are {@link OAuthException}s whose
 * messages carry Google's error code and a redacted error_description, never a token, URL or raw body.
 *
 * <p>Classification: invalid_grant and admin_policy_enforced concern one grant (REVOKED: that integration needs
 * reconnecting). invalid_client and unauthorized_client are CLIENT errors: unauthorized_client means the refresh token
 * was issued to another OAuth client than google.clientId (SPEC 8.3), which after a client id change or a wrong
 * configuration is true of every integration at once, so it must not disconnect anyone.
 */
public final class OAuthClient {
  /** A successful refresh. refreshToken is null unless Google rotated it. */
  public record Tokens(String accessToken, long expiresInSeconds, String refreshToken, String scope) {
    @Override
    public String toString() {
      return "Tokens[expiresIn=" + expiresInSeconds + ", scope=" + scope + "]";
    }
  }

  private final WebClient client;
  private final GoogleConfig config;
  private final GoogleMetrics metrics;

  OAuthClient(WebClient client, GoogleConfig config, GoogleMetrics metrics) {
    this.client = client;
    this.config = config;
    this.metrics = metrics;
  }

  public Future<Tokens> refresh(String refreshToken) {
    MultiMap form = MultiMap.caseInsensitiveMultiMap()
        .add("grant_type", "refresh_token")
        .add("client_id", config.clientId())
        .add("client_secret", config.clientSecret())
        .add("refresh_token", refreshToken);
    return counted("oauth.token", client.postAbs(config.tokenUrl()).timeout(config.requestTimeoutMs()).sendForm(form))
        .recover(err -> Future.failedFuture(new OAuthException(OAuthException.Kind.TRANSIENT, "network",
            "token endpoint unreachable: " + GoogleErrors.describe(err))))
        .compose(this::parse);
  }

  /**
   * The JWT-bearer grant of a service account with domain-wide delegation (assertion: {@link ServiceAccountKey#assertion}).
   * No client credentials, no refresh token in the reply. Classification: besides invalid_grant (bad signature, key
   * deleted, unknown user, clock), unauthorized_client and access_denied mean the Workspace administrator has not
   * authorized (or removed) the delegation for our scopes: REVOKED, like a revoked grant. An invalid_grant whose
   * description starts with "Invalid JWT" (signature of a deleted or unknown key, iat/exp off by the host's clock,
   * audience, issuer) is about our key or clock, not the practitioner's grant: CLIENT (no integration status changes,
   * syncs fail until the operator fixes google.serviceAccountKeyFile or the clock).
   */
  public Future<Tokens> jwtBearer(String assertion) {
    MultiMap form = MultiMap.caseInsensitiveMultiMap()
        .add("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer")
        .add("assertion", assertion);
    return counted("oauth.token", client.postAbs(config.tokenUrl()).timeout(config.requestTimeoutMs()).sendForm(form))
        .recover(err -> Future.failedFuture(new OAuthException(OAuthException.Kind.TRANSIENT, "network",
            "token endpoint unreachable: " + GoogleErrors.describe(err))))
        .compose(resp -> parse(resp, true));
  }

  private Future<Tokens> parse(HttpResponse<Buffer> resp) {
    return parse(resp, false);
  }

  private Future<Tokens> parse(HttpResponse<Buffer> resp, boolean delegated) {
    JsonObject body;
    try {
      body = resp.body() == null ? new JsonObject() : new JsonObject(resp.body());
    } catch (RuntimeException e) {
      return Future.failedFuture(new OAuthException(OAuthException.Kind.TRANSIENT, "malformed",
          "token endpoint returned HTTP " + resp.statusCode() + " with a body that is not JSON"));
    }
    if (resp.statusCode() == 200) {
      String access = body.getString("access_token");
      Object expires = body.getValue("expires_in");
      if (access == null || access.isEmpty() || !(expires instanceof Number n) || n.longValue() <= 0) {
        return Future.failedFuture(new OAuthException(OAuthException.Kind.TRANSIENT, "malformed",
            "token endpoint reply lacks access_token or a positive expires_in"));
      }
      return Future.succeededFuture(new Tokens(access, n.longValue(), body.getString("refresh_token"), body.getString("scope")));
    }
    String error = body.getValue("error") instanceof String e && !GoogleErrors.code(e).isEmpty() ? e : "http_" + resp.statusCode();
    String description = body.getValue("error_description") instanceof String d ? Redaction.text(d) : "";
    boolean keyOrClock = delegated && "invalid_grant".equals(error)
        && body.getValue("error_description") instanceof String d && d.startsWith("Invalid JWT");
    OAuthException.Kind kind = keyOrClock ? OAuthException.Kind.CLIENT
        : delegated && ("unauthorized_client".equals(error) || "access_denied".equals(error))
        ? OAuthException.Kind.REVOKED : switch (error) {
      case "invalid_grant", "admin_policy_enforced" -> OAuthException.Kind.REVOKED;
      case "invalid_client", "unauthorized_client" -> OAuthException.Kind.CLIENT;
      default -> resp.statusCode() >= 500 || "internal_failure".equals(error)
          ? OAuthException.Kind.TRANSIENT : OAuthException.Kind.CLIENT;
    };
    return Future.failedFuture(new OAuthException(kind, error,
        "token refresh failed: HTTP " + resp.statusCode() + " " + error + (description.isEmpty() ? "" : " (" + description + ")")));
  }

  /** Revokes a token (access or refresh). An already-invalid token counts as revoked. */
  public Future<Void> revoke(String token) {
    return counted("oauth.revoke", client.postAbs(config.revokeUrl()).timeout(config.requestTimeoutMs())
            .sendForm(MultiMap.caseInsensitiveMultiMap().add("token", token)))
        .recover(err -> Future.failedFuture(new OAuthException(OAuthException.Kind.TRANSIENT, "network",
            "revoke endpoint unreachable: " + GoogleErrors.describe(err))))
        .compose(resp -> resp.statusCode() == 200 || resp.statusCode() == 400
            ? Future.succeededFuture()
            : Future.failedFuture(new OAuthException(OAuthException.Kind.TRANSIENT, "http_" + resp.statusCode(),
                "revoke failed: HTTP " + resp.statusCode())));
  }

  /** Counts the call in calsync_google_calls_total like Calendar API calls (status 0: no response). */
  private Future<HttpResponse<Buffer>> counted(String op, Future<HttpResponse<Buffer>> call) {
    return call.andThen(ar -> metrics.call(op, ar.succeeded() ? ar.result().statusCode() : 0, ""));
  }
}
