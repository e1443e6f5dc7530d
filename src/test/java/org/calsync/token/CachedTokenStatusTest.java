package org.calsync.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import org.calsync.App;
import org.calsync.bus.Addresses;
import org.calsync.bus.FailureCode;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A cached access token is handed out only while the integration is active. Status changes made elsewhere (another
 * process, the CLI) reach this process only through the database, never through its event bus.
 */
@ExtendWith(HarnessExtension.class)
class CachedTokenStatusTest {
  private final Harness h;

  CachedTokenStatusTest(Harness h) {
    this.h = h.start(new App.Parts(false, false, false));
  }

  private String token(long id) {
    return h.vertx.eventBus().<JsonObject>request(Addresses.TOKEN_GET, new JsonObject().put("integrationId", id))
        .await().body().getString("accessToken");
  }

  private int refusal(long id) {
    ReplyException e = catchThrowableOfType(ReplyException.class, () -> token(id));
    assertThat(e).as("token request for integration %s is refused", id).isNotNull();
    return e.failureCode();
  }

  @Test
  void anIntegrationThatIsNoLongerActiveGetsNoCachedToken() {
    long a = h.connectSeeded(2, 0).values().stream().sorted().findFirst().orElseThrow();
    long b = h.query("SELECT max(id) FROM user_integrations").get(0).getLong(0);
    String first = token(a);
    token(b);
    long refreshes = h.emulator.state().stats().tokenRefreshes();
    assertThat(token(a)).as("served from the cache").isEqualTo(first);
    assertThat(h.emulator.state().stats().tokenRefreshes()).isEqualTo(refreshes);

    // changed by another process: nothing is published on this process's bus
    h.query("UPDATE user_integrations SET status = 'needs_reconnect' WHERE id = $1", a);
    h.query("UPDATE user_integrations SET status = 'disconnected' WHERE id = $1", b);
    assertThat(refusal(a)).isEqualTo(FailureCode.NEEDS_RECONNECT);
    assertThat(refusal(b)).isEqualTo(FailureCode.NEEDS_RECONNECT);
    h.query("DELETE FROM user_integrations WHERE id = $1", b);
    assertThat(refusal(b)).isEqualTo(FailureCode.NOT_FOUND);

    // active again (reconnected elsewhere): tokens are handed out again
    h.query("UPDATE user_integrations SET status = 'active' WHERE id = $1", a);
    assertThat(token(a)).isNotBlank();
  }
}
