package org.calsync.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The whole daemon configuration: a JSON file (conf/calsync.json) with environment overrides.
 * An environment variable CALSYNC_&lt;SECTION&gt;_&lt;KEY&gt; (key in upper snake case, e.g.
 * CALSYNC_GOOGLE_CLIENT_SECRET for google.clientSecret) overrides the file. Every section is documented on its record.
 * Unknown sections and keys in the file, and CALSYNC_* variables that name no key (other than {@link #NON_CONFIG_ENV}),
 * stop the start with a ConfigException naming them, so a typo never leaves a default silently in force.
 */
public record CalsyncConfig(DbConfig db, GoogleConfig google, SyncConfig sync, TokenConfig token,
                            SchedulerConfig scheduler, HttpConfig http, AuditConfig audit, PushConfig push,
                            BookingConfig booking, ApiConfig api, NoticesConfig notices,
                            ConsentConfig consent) {

  private static final String[][] KEYS = {
      {"db", "url", "password", "poolSize"},
      {"google", "apiBaseUrl", "tokenUrl", "revokeUrl", "clientId", "clientSecret", "requestTimeoutMs", "maxConnections",
          "serviceAccountKeyFile"},
      {"sync", "intervalMinutes", "stagger", "maxConcurrent", "pageSize", "maxAttempts", "maxDeleteShare",
          "maxDeleteMinimum", "leaseSeconds", "pollMs", "storeEventText", "projectRequestsPerMinute", "retryBaseSeconds", "maxFullSyncs",
          "calendarListMinutes"},
      {"token", "refreshBufferSeconds", "keys", "keyFile"},
      {"scheduler", "enabled", "zone", "cleanupAt", "failedJobRetentionDays", "tokenHealthDay", "tokenHealthAt",
          "appointmentRetentionDays", "conflictReportRetentionDays", "mirrorRetentionDays"},
      {"http", "host", "port", "metricsRefreshSeconds"},
      {"audit", "batchSize", "flushMs", "maxBuffered", "retentionDays"},
      {"push", "enabled", "webhookUrl", "ttlSeconds", "renewBeforeSeconds", "debounceMs", "checkSeconds", "listenHost",
          "listenPort", "tlsCertFile", "tlsKeyFile"},
      {"booking", "horizonDays", "neutralTitle", "freshTimeoutMs", "staleMinutes", "sweepSeconds", "maxRangeDays",
          "maxAheadDays", "writeLeaseSeconds"},
      {"api", "host", "port", "tlsCertFile", "tlsKeyFile", "bodyLimitBytes", "bodyTimeoutSeconds", "idleTimeoutSeconds",
          "keyCacheSeconds"},
      {"notices", "webhookUrl", "retrySchedule", "timeoutMs", "pollMs", "concurrency", "retentionDays"},
      {"consent", "enabled", "publicBaseUrl", "listenHost", "listenPort", "returnUrlAllowList", "linkTtl", "authorizationUrl",
          "jwksUrl"},
  };

  /** CALSYNC_* variables read elsewhere, not config keys: the config file path, connect's refresh token, tests, logs. */
  public static final Set<String> NON_CONFIG_ENV = Set.of("CALSYNC_CONFIG", "CALSYNC_REFRESH_TOKEN", "CALSYNC_TEST_PG",
      "CALSYNC_DEMO_LOG", NoticesConfig.SECRET_ENV);

  public static CalsyncConfig fromJson(JsonObject root) {
    rejectUnknownKeys(root);
    return new CalsyncConfig(DbConfig.fromJson(root), GoogleConfig.fromJson(root), SyncConfig.fromJson(root),
        TokenConfig.fromJson(root), SchedulerConfig.fromJson(root), HttpConfig.fromJson(root), AuditConfig.fromJson(root),
        PushConfig.fromJson(root), BookingConfig.fromJson(root), ApiConfig.fromJson(root), NoticesConfig.fromJson(root),
        ConsentConfig.fromJson(root));
  }

  /** Reads the file (if it exists), applies the environment (with the webhook secret, see NoticesConfig), validates. */
  public static CalsyncConfig load(Path file, Map<String, String> env) {
    CalsyncConfig config = fromJson(withEnv(read(file), env));
    config = config.withNotices(config.notices().withSecretFrom(env));
    config.notices().requireSecret();
    return config;
  }

  /** This config with another notices section (e.g. with its webhook secret). */
  public CalsyncConfig withNotices(NoticesConfig n) {
    return new CalsyncConfig(db, google, sync, token, scheduler, http, audit, push, booking, api, n, consent);
  }

  public static JsonObject read(Path file) {
    if (file == null || !Files.exists(file)) return new JsonObject();
    try {
      return new JsonObject(Files.readString(file));
    } catch (IOException e) {
      throw new ConfigException(file.toString(), "cannot be read: " + e.getMessage(), "check the path and its permissions");
    } catch (DecodeException e) {
      throw new ConfigException(file.toString(), "is not valid JSON: " + e.getMessage(), "fix the JSON syntax");
    }
  }

  /**
   * Returns a copy of root with CALSYNC_* environment overrides applied (values stay strings; records parse them).
   * Throws ConfigException for a CALSYNC_* variable that is neither a config key nor in {@link #NON_CONFIG_ENV}.
   */
  public static JsonObject withEnv(JsonObject root, Map<String, String> env) {
    rejectUnknownEnv(env);
    JsonObject out = root.copy();
    for (String[] section : KEYS) {
      for (int i = 1; i < section.length; i++) {
        String var = envName(section[0], section[i]);
        String value = env.get(var);
        if (value != null) {
          JsonObject s = out.getJsonObject(section[0]);
          if (s == null) out.put(section[0], s = new JsonObject());
          s.put(section[i], value);
        }
      }
    }
    return out;
  }

  private static void rejectUnknownKeys(JsonObject root) {
    for (String section : root.fieldNames()) {
      String[] keys = section(section);
      if (keys == null) {
        throw new ConfigException(section, "is not a config section", "use one of " + String.join(", ", sections()));
      }
      if (!(root.getValue(section) instanceof JsonObject values)) continue;
      List<String> known = Arrays.asList(keys).subList(1, keys.length);
      for (String key : values.fieldNames()) {
        if (!known.contains(key)) {
          throw new ConfigException(section + "." + key, "is not a known key", "use one of " + String.join(", ", known));
        }
      }
    }
  }

  private static void rejectUnknownEnv(Map<String, String> env) {
    Set<String> known = new TreeSet<>();
    for (String[] section : KEYS) for (int i = 1; i < section.length; i++) known.add(envName(section[0], section[i]));
    for (String var : new TreeSet<>(env.keySet())) {
      if (!var.startsWith("CALSYNC_") || known.contains(var) || NON_CONFIG_ENV.contains(var)) continue;
      List<String> sameSection = known.stream().filter(k -> var.startsWith(k.substring(0, k.indexOf('_', 8) + 1))).toList();
      throw new ConfigException(var, "is not a calsync environment variable",
          "unset it or use one of " + String.join(", ", sameSection.isEmpty() ? known : sameSection)
              + (sameSection.isEmpty() ? " (or " + String.join(", ", new TreeSet<>(NON_CONFIG_ENV)) + ")" : ""));
    }
  }

  private static String[] section(String name) {
    for (String[] section : KEYS) if (section[0].equals(name)) return section;
    return null;
  }

  private static List<String> sections() {
    return Arrays.stream(KEYS).map(s -> s[0]).toList();
  }

  public static String envName(String section, String key) {
    return "CALSYNC_" + section.toUpperCase() + "_" + key.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase();
  }
}
