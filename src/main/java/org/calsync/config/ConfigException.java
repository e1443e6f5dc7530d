package org.calsync.config;

/** A configuration value is missing or invalid. The message names the key and how to fix it. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String key, String problem, String fix) {
    super("config key '" + key + "' " + problem + "; fix: " + fix);
  }
}
