package org.calsync.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The whole daemon configuration: a JSON file (conf/calsync.json) with environment overrides.
 * An environment variable CALSYNC_&lt;SECTION&gt;_&lt;KEY&gt; (key in upper snake case, e.g.
 * CALSYNC_GOOGLE_CLIENT_SECRET for google.clientSecret) overrides the file. Every section is documented on its record.
 */
public record CalsyncConfig(DbConfig db, GoogleConfig google, SyncConfig sync, TokenConfig token,
                            SchedulerConfig scheduler, HttpConfig http, AuditConfig audit, PushConfig push,
                            BookingConfig booking) {

  private static final String[][] KEYS = {
      {"db", "url", "password", "poolSize"},
      {"google", "apiBaseUrl", "tokenUrl", "revokeUrl", "clientId", "clientSecret", "requestTimeoutMs"},
      {"sync", "intervalMinutes", "stagger", "maxConcurrent", "pageSize", "maxAttempts", "maxDeleteShare",
          "maxDeleteMinimum", "leaseSeconds", "pollMs", "storeEventText", "projectRequestsPerMinute", "retryBaseSeconds", "maxFullSyncs"},
      {"token", "refreshBufferSeconds", "keys", "keyFile"},
      {"scheduler", "enabled", "zone", "cleanupAt", "failedJobRetentionDays", "tokenHealthDay", "tokenHealthAt"},
      {"http", "host", "port"},
      {"audit", "batchSize", "flushMs", "retentionDays"},
      {"push", "enabled", "webhookUrl", "ttlSeconds", "renewBeforeSeconds", "debounceMs", "checkSeconds"},
      {"booking", "horizonDays", "neutralTitle", "freshTimeoutMs", "staleMinutes", "sweepSeconds", "maxRangeDays"},
  };

  public static CalsyncConfig fromJson(JsonObject root) {
    return new CalsyncConfig(DbConfig.fromJson(root), GoogleConfig.fromJson(root), SyncConfig.fromJson(root),
        TokenConfig.fromJson(root), SchedulerConfig.fromJson(root), HttpConfig.fromJson(root), AuditConfig.fromJson(root),
        PushConfig.fromJson(root), BookingConfig.fromJson(root));
  }

  /** Reads the file (if it exists), applies the environment, validates. */
  public static CalsyncConfig load(Path file, Map<String, String> env) {
    return fromJson(withEnv(read(file), env));
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

  /** Returns a copy of root with CALSYNC_* environment overrides applied (values stay strings; records parse them). */
  public static JsonObject withEnv(JsonObject root, Map<String, String> env) {
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

  public static String envName(String section, String key) {
    return "CALSYNC_" + section.toUpperCase() + "_" + key.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase();
  }
}
