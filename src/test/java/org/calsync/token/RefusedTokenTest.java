package org.calsync.token;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.calsync.App;
import org.calsync.bus.Addresses;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A 401 names the token it refused: callers refused the same token share one refresh, also when one of them asks
 * after another's refresh has finished (a late caller used to refresh the new token again).
 */
@ExtendWith(HarnessExtension.class)
class RefusedTokenTest {
  private final Harness h;

  RefusedTokenTest(Harness h) {
    this.h = h.start(new App.Parts(false, false, false));
  }

  private String token(JsonObject body) {
    return h.vertx.eventBus().<JsonObject>request(Addresses.TOKEN_GET, body).await().body().getString("accessToken");
  }

  @Test
  void aLateCallerRefusedTheOldTokenGetsTheNewOneWithoutAnotherRefresh() {
    long id = h.connectSeeded(1, 0).values().iterator().next();
    var stats = h.emulator.state().stats();
    String old = token(new JsonObject().put("integrationId", id));
    h.emulator.state().expireAccessTokens();

    long before = stats.tokenRefreshes();
    String fresh = token(new JsonObject().put("integrationId", id).put("refused", old));
    assertThat(fresh).isNotEqualTo(old);
    assertThat(stats.tokenRefreshes() - before).isEqualTo(1);

    // a second caller whose request was refused with the old token, arriving after the refresh finished
    assertThat(token(new JsonObject().put("integrationId", id).put("refused", old))).isEqualTo(fresh);
    assertThat(stats.tokenRefreshes() - before).as("no second refresh").isEqualTo(1);

    // the new token refused in turn: refreshed once more
    String third = token(new JsonObject().put("integrationId", id).put("refused", fresh));
    assertThat(third).isNotIn(old, fresh);
    assertThat(stats.tokenRefreshes() - before).isEqualTo(2);
  }
}
