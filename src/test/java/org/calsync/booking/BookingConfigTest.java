package org.calsync.booking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.calsync.config.CalsyncConfig;
import org.calsync.config.ConfigException;
import org.junit.jupiter.api.Test;

/** The "booking" config section: defaults, environment overrides, validation naming the key. */
class BookingConfigTest {
  private static JsonObject base() {
    return new JsonObject().put("db", new JsonObject().put("url", "postgresql://calsync@127.0.0.1:5432/calsync"))
        .put("google", new JsonObject().put("clientId", "id").put("clientSecret", "secret"));
  }

  @Test
  void defaultsOverridesAndValidation() {
    CalsyncConfig defaults = CalsyncConfig.fromJson(base());
    assertThat(defaults.booking().horizonDays()).isEqualTo(183);
    assertThat(defaults.booking().neutralTitle()).isEqualTo("Busy");
    assertThat(defaults.booking().maxAheadDays()).isEqualTo(1096);
    assertThat(CalsyncConfig.fromJson(base().put("booking", new JsonObject().put("horizonDays", 2000))).booking().maxAheadDays())
        .as("never below the horizon").isEqualTo(2000);

    JsonObject env = CalsyncConfig.withEnv(base(), Map.of("CALSYNC_BOOKING_HORIZON_DAYS", "30",
        "CALSYNC_BOOKING_NEUTRAL_TITLE", "Unavailable"));
    CalsyncConfig c = CalsyncConfig.fromJson(env);
    assertThat(c.booking().horizonDays()).isEqualTo(30);
    assertThat(c.booking().neutralTitle()).isEqualTo("Unavailable");

    assertThatThrownBy(() -> CalsyncConfig.fromJson(base().put("booking", new JsonObject().put("horizonDays", 0))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("booking.horizonDays");
    assertThatThrownBy(() -> CalsyncConfig.fromJson(base().put("booking", new JsonObject().put("neutralTitle", " "))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("booking.neutralTitle");
    assertThatThrownBy(() -> CalsyncConfig.fromJson(base().put("booking", new JsonObject().put("horizonDays", 200)
        .put("maxAheadDays", 100)))).isInstanceOf(ConfigException.class).hasMessageContaining("booking.maxAheadDays");
  }
}
