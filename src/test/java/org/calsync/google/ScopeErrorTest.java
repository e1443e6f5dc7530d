package org.calsync.google;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

/** A 403 for missing OAuth scopes is permanent: re-sending cannot succeed until the practitioner consents again. */
class ScopeErrorTest {
  @Test
  void insufficientPermissionsIsNotRetriedAsARateLimit() {
    Buffer body = org.calsync.emulator.GoogleErrors.insufficientScopes("events.insert").toJson().toBuffer();
    String reason = GoogleErrors.reasonOf(body);
    assertThat(reason).isEqualTo("insufficientPermissions");
    GoogleApiException.Kind kind = GoogleErrors.classify(403, reason);
    assertThat(kind).isEqualTo(GoogleApiException.Kind.PERMANENT);
    GoogleApiException e = new GoogleApiException(kind, 403, reason, "events.insert failed: HTTP 403 " + reason, -1, null);
    assertThat(RetryPolicy.defaults().delayAfter(e, 1)).isEqualTo(-1);
    // the rate-limit 403 with the same top-level status is still retried
    assertThat(GoogleErrors.classify(403, "rateLimitExceeded")).isEqualTo(GoogleApiException.Kind.RATE_LIMIT);
  }
}
