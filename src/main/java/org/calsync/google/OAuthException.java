package org.calsync.google;

/** A failed token refresh or revoke. */
public final class OAuthException extends RuntimeException {
  public enum Kind {
    /** invalid_grant, admin_policy_enforced: this grant is gone; the integration needs reconnecting. Never retry. */
    REVOKED,
    /**
     * invalid_client, unauthorized_client (token issued to another client than the configured one) or another
     * configuration problem of ours: no integration status changes; retrying will not help until config is fixed.
     */
    CLIENT,
    /** Network, 5xx, malformed reply: retry later. */
    TRANSIENT
  }

  private final Kind kind;
  private final String error;

  public OAuthException(Kind kind, String error, String message) {
    super(message);
    this.kind = kind;
    this.error = error;
  }

  public Kind kind() {
    return kind;
  }

  /** Google's error code, e.g. invalid_grant. */
  public String error() {
    return error;
  }
}
