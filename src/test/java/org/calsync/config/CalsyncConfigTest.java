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
    assertThat(c.google().maxConnections()).isEqualTo(256);
  }

  @Test
  void fullSyncCapFollowsThePageSizeUnlessSet() {
    assertThat(CalsyncConfig.fromJson(minimal()).sync().maxFullSyncs()).isEqualTo(128);
    assertThat(CalsyncConfig.fromJson(minimal().put("sync", new JsonObject().put("pageSize", 2500))).sync().maxFullSyncs())
        .isEqualTo(12);
    assertThat(CalsyncConfig.fromJson(minimal().put("sync", new JsonObject().put("maxConcurrent", 50))).sync().maxFullSyncs())
        .isEqualTo(50);
    assertThat(CalsyncConfig.fromJson(minimal().put("sync", new JsonObject().put("maxFullSyncs", 64))).sync().maxFullSyncs())
        .isEqualTo(64);
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
    assertThatThrownBy(() -> CalsyncConfig.fromJson(minimal().put("google", new JsonObject().put("clientId", "x")
        .put("clientSecret", "y").put("maxConnections", 0)))).hasMessageContaining("google.maxConnections")
        .hasMessageContaining("between 1 and 10000");
    assertThatThrownBy(() -> CalsyncConfig.fromJson(minimal().put("sync", "fast"))).hasMessageContaining("'sync'");
    assertThatThrownBy(() -> CalsyncConfig.fromJson(minimal().put("audit", new JsonObject().put("retentionDays", 30))))
        .hasMessageContaining("audit.retentionDays").hasMessageContaining("UPDATE audit_retention");
    assertThatThrownBy(() -> CalsyncConfig.load(Path.of("src/test/resources/logback-test.xml"), Map.of()))
        .hasMessageContaining("not valid JSON");
  }

  @Test
  void unknownKeysAndSectionsInTheFileStopTheStart() {
    assertThatThrownBy(() -> CalsyncConfig.fromJson(minimal().put("sync", new JsonObject().put("intervalMinute", 5))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'sync.intervalMinute'")
        .hasMessageContaining("intervalMinutes").hasMessageContaining("maxDeleteShare");
    assertThatThrownBy(() -> CalsyncConfig.fromJson(minimal().put("schedular", new JsonObject().put("enabled", false))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'schedular'").hasMessageContaining("scheduler");
    assertThatThrownBy(() -> CalsyncConfig.fromJson(minimal().put("db", new JsonObject()
        .put("url", "postgresql://calsync@127.0.0.1:5432/calsync").put("pool_size", 4))))
        .hasMessageContaining("'db.pool_size'").hasMessageContaining("poolSize");
    assertThat(CalsyncConfig.fromJson(minimal().put("sync", new JsonObject().put("intervalMinutes", 5))).sync().intervalMinutes())
        .isEqualTo(5);
  }

  @Test
  void everyShippedKeyIsKnown() throws Exception {
    JsonObject shipped = CalsyncConfig.read(Path.of("conf/calsync.json"));
    CalsyncConfig c = CalsyncConfig.fromJson(shipped.put("google", shipped.getJsonObject("google").put("clientId", "id")
        .put("clientSecret", "s")));
    assertThat(c.scheduler().failedJobRetentionDays()).isEqualTo(30);
  }

  @Test
  void unknownCalsyncEnvironmentVariablesStopTheStart() {
    assertThatThrownBy(() -> CalsyncConfig.withEnv(minimal(), Map.of("CALSYNC_SYNC_INTERVAL_MINUTE", "15")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("CALSYNC_SYNC_INTERVAL_MINUTE")
        .hasMessageContaining("CALSYNC_SYNC_INTERVAL_MINUTES");
    assertThatThrownBy(() -> CalsyncConfig.load(null, Map.of("CALSYNC_GOOGLE_SECRET", "x")))
        .hasMessageContaining("CALSYNC_GOOGLE_SECRET").hasMessageContaining("CALSYNC_GOOGLE_CLIENT_SECRET");
    assertThatThrownBy(() -> CalsyncConfig.withEnv(minimal(), Map.of("CALSYNC_TOKENKEYS", "k1:x")))
        .hasMessageContaining("CALSYNC_TOKENKEYS").hasMessageContaining("CALSYNC_TOKEN_KEYS");

    Map<String, String> env = new java.util.HashMap<>(Map.of("CALSYNC_TOKEN_KEYS", "k1:abc", "CALSYNC_DB_PASSWORD", "pw",
        "CALSYNC_GOOGLE_CLIENT_SECRET", "from-env", "CALSYNC_CONFIG", "/opt/calsync/conf/calsync.json",
        "CALSYNC_REFRESH_TOKEN", "1//x", "CALSYNC_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres",
        "CALSYNC_DEMO_LOG", "demo.log", "PATH", "/usr/bin", "JAVA_OPTS", "-Xmx1g"));
    CalsyncConfig c = CalsyncConfig.load(null, withDbAndClient(env));
    assertThat(c.token().keys()).isEqualTo("k1:abc");
    assertThat(c.db().password()).isEqualTo("pw");
    assertThat(c.google().clientSecret()).isEqualTo("from-env");
  }

  private static Map<String, String> withDbAndClient(Map<String, String> env) {
    env.put("CALSYNC_DB_URL", "postgresql://calsync@127.0.0.1:5432/calsync");
    env.put("CALSYNC_GOOGLE_CLIENT_ID", "id");
    return env;
  }

  @Test
  void missingEncryptionKeyIsAClearStartupError() {
    assertThatThrownBy(() -> org.calsync.token.CredentialCipher.fromConfig(new TokenConfig(300, "", "")))
        .hasMessageContaining("token.keys").hasMessageContaining("CALSYNC_TOKEN_KEYS");
    assertThatThrownBy(() -> org.calsync.token.CredentialCipher.fromConfig(new TokenConfig(300, "k1:c2hvcnQ=", "")))
        .hasMessageContaining("32");
  }

  @Test
  void consentNeedsAPublicBaseUrlAndChecksReturnUrlsByPrefixOrOrigin() {
    assertThat(CalsyncConfig.fromJson(minimal()).consent().enabled()).isFalse();
    assertThatThrownBy(() -> CalsyncConfig.fromJson(minimal().put("consent", new JsonObject().put("enabled", true))))
        .hasMessageContaining("consent.publicBaseUrl");
    assertThatThrownBy(() -> CalsyncConfig.fromJson(minimal().put("consent", new JsonObject().put("linkTtl", "a week"))))
        .hasMessageContaining("consent.linkTtl");
    ConsentConfig same = CalsyncConfig.fromJson(minimal().put("consent", new JsonObject().put("enabled", true)
        .put("publicBaseUrl", "https://calsync.clinic.test/"))).consent();
    assertThat(same.callbackUrl()).isEqualTo("https://calsync.clinic.test/connect/callback");
    assertThat(same.linkTtl()).isEqualTo(java.time.Duration.ofDays(7));
    assertThat(same.allowsReturnUrl("https://calsync.clinic.test:443/done")).isTrue();
    assertThat(same.allowsReturnUrl("https://emr.clinic.test/done")).isFalse();
    ConsentConfig listed = CalsyncConfig.fromJson(minimal().put("consent", new JsonObject().put("enabled", true)
        .put("publicBaseUrl", "https://calsync.clinic.test").put("returnUrlAllowList", "https://emr.clinic.test/calendar, https://emr2.clinic.test/")))
        .consent();
    assertThat(listed.allowsReturnUrl("https://emr.clinic.test/calendar/done?x=1")).isTrue();
    assertThat(listed.allowsReturnUrl("https://emr.clinic.test/calendar")).isTrue();
    assertThat(listed.allowsReturnUrl("https://emr.clinic.test/calendarevil")).isFalse();
    assertThat(listed.allowsReturnUrl("https://emr2.clinic.test/anything")).isTrue();
    assertThat(listed.allowsReturnUrl("https://emr.clinic.test.evil.example/calendar/")).isFalse();
    assertThat(listed.allowsReturnUrl("https://user@emr2.clinic.test/")).isFalse();
    assertThat(listed.allowsReturnUrl("javascript:alert(1)")).isFalse();
    assertThat(listed.allowsReturnUrl("https://calsync.clinic.test/done")).as("the list replaces the same-origin rule").isFalse();
  }
}
