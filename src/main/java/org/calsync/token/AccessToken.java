package org.calsync.token;

/** An access token and when it expires (epoch millis). */
record AccessToken(String value, long expiresAtMillis) {
  @Override
  public String toString() {
    return "AccessToken[expiresAt=" + expiresAtMillis + "]";
  }
}
