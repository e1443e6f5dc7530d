package org.calsync.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.calsync.config.CalsyncConfig;
import org.calsync.config.ConfigException;
import org.calsync.config.PushConfig;
import org.junit.jupiter.api.Test;

/** The "push" config section: defaults, validation naming the key, environment overrides. */
class PushConfigTest {
  private static JsonObject base() {
    return new JsonObject().put("db", new JsonObject().put("url", "postgresql://calsync@127.0.0.1:5432/calsync"))
        .put("google", new JsonObject().put("clientId", "id").put("clientSecret", "secret"));
  }

  private static PushConfig push(JsonObject section) {
    return CalsyncConfig.fromJson(base().put("push", section)).push();
  }

  @Test
  void defaultsAreOffWithAWeekLongChannel() {
    PushConfig p = CalsyncConfig.fromJson(base()).push();
    assertThat(p.enabled()).isFalse();
    assertThat(p.ttlSeconds()).isEqualTo(604_800);
    assertThat(p.renewBeforeSeconds()).isEqualTo(86_400);
    assertThat(p.debounceMs()).isEqualTo(500);
  }

  @Test
  void invalidValuesNameTheKey() {
    assertThatThrownBy(() -> push(new JsonObject().put("enabled", true)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("push.webhookUrl");
    assertThatThrownBy(() -> push(new JsonObject().put("enabled", true).put("webhookUrl", "calsync.example.org/hook")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("push.webhookUrl");
    assertThatThrownBy(() -> push(new JsonObject().put("ttlSeconds", 3600).put("renewBeforeSeconds", 3600)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("push.renewBeforeSeconds");
    assertThatThrownBy(() -> push(new JsonObject().put("ttlSeconds", 700_000)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("push.ttlSeconds");
    assertThatThrownBy(() -> push(new JsonObject().put("debounceMs", "soon")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("push.debounceMs");
    assertThatThrownBy(() -> push(new JsonObject().put("listenPort", 70_000)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("push.listenPort");
    assertThatThrownBy(() -> push(new JsonObject().put("tlsCertFile", "/nonexistent/cert.pem").put("tlsKeyFile", "/nonexistent/key.pem")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("push.tlsCertFile").hasMessageContaining("cannot be read");
    assertThatThrownBy(() -> push(new JsonObject().put("tlsCertFile", "pom.xml")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("push.tlsKeyFile").hasMessageContaining("is missing");
  }

  @Test
  void theWebhookListenerIsLocalAndPlainByDefault() {
    PushConfig p = CalsyncConfig.fromJson(base()).push();
    assertThat(p.listenHost()).isEqualTo("127.0.0.1");
    assertThat(p.listenPort()).isEqualTo(8443);
    assertThat(p.tls()).isFalse();
  }

  @Test
  void environmentOverridesApply() {
    JsonObject root = CalsyncConfig.withEnv(base(), Map.of("CALSYNC_PUSH_ENABLED", "true",
        "CALSYNC_PUSH_WEBHOOK_URL", "https://calsync.example.org/webhooks/google", "CALSYNC_PUSH_DEBOUNCE_MS", "750"));
    PushConfig p = CalsyncConfig.fromJson(root).push();
    assertThat(p.enabled()).isTrue();
    assertThat(p.webhookUrl()).isEqualTo("https://calsync.example.org/webhooks/google");
    assertThat(p.debounceMs()).isEqualTo(750);
  }
}
