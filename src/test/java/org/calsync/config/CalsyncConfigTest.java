package org.calsync.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CalsyncConfigTest {
  private static JsonObject minimal() {
    return new JsonObject().put("db", new JsonObject().put("url", "postgresql://calsync@127.0.0.1:5432/calsync"))
        .put("google", new JsonObject().put("clientId", "id").put("clientSecret", "secret"));
  }

  @Test
  void defaultsArePublishedGoogleAndTheSeedSchedule() {
    CalsyncConfig c = CalsyncConfig.fromJson(minimal());
    assertThat(c.google().apiBaseUrl()).isEqualTo("https://www.googleapis.com/calendar/v3");
    assertThat(c.google().tokenUrl()).isEqualTo("https://oauth2.googleapis.com/token");
    assertThat(c.sync().intervalMinutes()).isEqualTo(30);
    assertThat(c.sync().maxAttempts()).isEqualTo(3);
    assertThat(c.token().refreshBufferSeconds()).isEqualTo(300);
    assertThat(c.scheduler().cleanupAt().toString()).isEqualTo("02:00");
    assertThat(c.scheduler().tokenHealthDay().toString()).isEqualTo("SUNDAY");
    assertThat(c.scheduler().tokenHealthAt().toString()).isEqualTo("01:00");
    assertThat(c.google().toString()).doesNotContain("secret");
  }

  @Test
  void environmentOverridesTheFile() {
    JsonObject withEnv = CalsyncConfig.withEnv(minimal(), Map.of("CALSYNC_SYNC_INTERVAL_MINUTES", "15",
        "CALSYNC_GOOGLE_CLIENT_SECRET", "from-env", "CALSYNC_SYNC_STAGGER", "false"));
    CalsyncConfig c = CalsyncConfig.fromJson(withEnv);
    assertThat(c.sync().intervalMinutes()).isEqualTo(15);
    assertThat(c.sync().stagger()).isFalse();
    assertThat(c.google().clientSecret()).isEqualTo("from-env");
    assertThat(CalsyncConfig.envName("sync", "maxDeleteShare")).isEqualTo("CALSYNC_SYNC_MAX_DELETE_SHARE");
  }

  @Test
  void badValuesNameTheKeyAndTheFix() {
    assertThatThrownBy(() -> CalsyncConfig.fromJson(minimal().put("sync", new JsonObject().put("intervalMinutes", 0))))
        .hasMessageContaining("sync.intervalMinutes").hasMessageContaining("fix:");
    assertThatThrownBy(() -> CalsyncConfig.fromJson(minimal().put("sync", new JsonObject().put("maxDeleteShare", "lots"))))
        .hasMessageContaining("sync.maxDeleteShare");
    assertThatThrownBy(() -> CalsyncConfig.fromJson(minimal().put("scheduler", new JsonObject().put("cleanupAt", "2am"))))
        .hasMessageContaining("scheduler.cleanupAt").hasMessageContaining("HH:mm");
    assertThatThrownBy(() -> CalsyncConfig.fromJson(minimal().put("google", new JsonObject().put("clientId", "x"))))
        .hasMessageContaining("google.clientSecret");
    assertThatThrownBy(() -> CalsyncConfig.fromJson(minimal().put("db", new JsonObject().put("url", "mysql://x"))))
        .hasMessageContaining("db.url");
    assertThatThrownBy(() -> CalsyncConfig.fromJson(minimal().put("google", new JsonObject().put("clientId", "x")
        .put("clientSecret", "y").put("tokenUrl", "not a url")))).hasMessageContaining("google.tokenUrl");
    assertThatThrownBy(() -> CalsyncConfig.fromJson(minimal().put("sync", "fast"))).hasMessageContaining("'sync'");
    assertThatThrownBy(() -> CalsyncConfig.load(Path.of("src/test/resources/logback-test.xml"), Map.of()))
        .hasMessageContaining("not valid JSON");
  }

  @Test
  void missingEncryptionKeyIsAClearStartupError() {
    assertThatThrownBy(() -> org.calsync.token.CredentialCipher.fromConfig(new TokenConfig(300, "", "")))
        .hasMessageContaining("token.keys").hasMessageContaining("CALSYNC_TOKEN_KEYS");
    assertThatThrownBy(() -> org.calsync.token.CredentialCipher.fromConfig(new TokenConfig(300, "k1:c2hvcnQ=", "")))
        .hasMessageContaining("32");
  }
}
