package org.calsync.token;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import org.calsync.google.Google;
import org.calsync.google.OAuthClient;
import org.calsync.google.OAuthException;
import org.calsync.google.ServiceAccountKey;

/**
 * Access tokens of delegated integrations (Google Workspace domain-wide delegation): a JWT assertion signed with the
 * service account key of google.serviceAccountKeyFile, impersonating the practitioner's address, exchanged at the
 * token endpoint (JWT-bearer grant). There is no refresh token: every renewal signs a new assertion. The sealed
 * credentials of such an integration hold {@link #SUBJECT} (and the current access token), never the key.
 */
final class DelegatedGrant {
  /** The scope requested; the Workspace administrator authorizes the service account's client id for exactly this. */
  static final String SCOPE = "https://www.googleapis.com/auth/calendar";
  /** Credentials field naming the impersonated address (sealed, so a changed account_email cannot redirect it). */
  static final String SUBJECT = "delegated_subject";

  private final Google google;

  DelegatedGrant(Google google) {
    this.google = google;
  }

  /** The credentials stored for a delegated integration of this address. */
  static JsonObject credentials(String email) {
    if (email == null || !email.contains("@") || email.length() > 320) {
      throw new IllegalArgumentException("a delegated integration needs the practitioner's Workspace e-mail address");
    }
    return new JsonObject().put(SUBJECT, email);
  }

  /** A fresh access token for the address; a CLIENT OAuthException when no key is configured. */
  Future<OAuthClient.Tokens> token(String subject) {
    ServiceAccountKey key = google.serviceAccount();
    if (key == null) {
      return Future.failedFuture(new OAuthException(OAuthException.Kind.CLIENT, "no_service_account_key",
          "the integration is delegated but " + ServiceAccountKey.CONFIG_KEY + " is not set"));
    }
    return google.oauth().jwtBearer(key.assertion(subject, SCOPE, google.config().tokenUrl(), Instant.now()));
  }
}
