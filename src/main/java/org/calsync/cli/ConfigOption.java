package org.calsync.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** -c/--config: the JSON config file (default $CALSYNC_CONFIG or conf/calsync.json); CALSYNC_* variables override it. */
public final class ConfigOption {
  @Option(names = {"-c", "--config"}, description = "Config file (default: $CALSYNC_CONFIG or conf/calsync.json)")
  Path file;

  Path path() {
    if (file != null) return file;
    String env = System.getenv("CALSYNC_CONFIG");
    return Path.of(env != null && !env.isBlank() ? env : "conf/calsync.json");
  }
}
